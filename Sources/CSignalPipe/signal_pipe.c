#include "signal_pipe.h"

#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t wake_fd = -1;
static struct sigaction previous_winch;

static void to_pipe(int number) {
    char byte = number == SIGWINCH ? 'W' : 'Q';
    if (wake_fd >= 0) {
        ssize_t ignored = write(wake_fd, &byte, 1);
        (void)ignored;
    }
    if (number == SIGWINCH && previous_winch.sa_handler != SIG_DFL && previous_winch.sa_handler != SIG_IGN &&
        previous_winch.sa_handler != 0) {
        previous_winch.sa_handler(number);
    }
}

void mcptop_install_signal_pipe(int fd) {
    wake_fd = fd;
    struct sigaction action;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    action.sa_handler = to_pipe;
    sigaction(SIGWINCH, &action, &previous_winch);
    sigaction(SIGINT, &action, 0);
    sigaction(SIGTERM, &action, 0);
    sigaction(SIGHUP, &action, 0);
}
