// SwiftPM drops pkg-config's -D flags, so the wide-character API is switched on here.
// Function-like macros and mutable C globals do not import into Swift 6: each gets a
// static inline wrapper.
#ifndef MCPTOP_CNCURSESW_SHIM_H
#define MCPTOP_CNCURSESW_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <ncursesw/curses.h>
#include <langinfo.h>
#include <signal.h>
#include <unistd.h>

static inline WINDOW *mcptop_stdscr(void) { return stdscr; }
static inline int mcptop_lines(void) { return LINES; }
static inline int mcptop_cols(void) { return COLS; }
static inline int mcptop_colors(void) { return COLORS; }
static inline int mcptop_color_pairs(void) { return COLOR_PAIRS; }
static inline void mcptop_set_escdelay(int ms) { set_escdelay(ms); }
static inline attr_t mcptop_color_pair(int n) { return COLOR_PAIR(n); }
static inline attr_t mcptop_a_bold(void) { return A_BOLD; }
static inline attr_t mcptop_a_reverse(void) { return A_REVERSE; }
static inline attr_t mcptop_a_underline(void) { return A_UNDERLINE; }
static inline attr_t mcptop_a_dim(void) { return A_DIM; }
static inline attr_t mcptop_a_normal(void) { return A_NORMAL; }
static inline int mcptop_key_f(int n) { return KEY_F(n); }
static inline int mcptop_wcwidth(wchar_t c) { return wcwidth(c); }
static inline int mcptop_terminal_size(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}
static inline mmask_t mcptop_mouse_clicks(void) { return BUTTON1_PRESSED | BUTTON1_CLICKED; }
static inline int mcptop_is_click(mmask_t state) { return (state & (BUTTON1_PRESSED | BUTTON1_CLICKED)) != 0; }
static inline int mcptop_is_wheel_up(mmask_t state) { return (state & BUTTON4_PRESSED) != 0; }
static inline int mcptop_is_wheel_down(mmask_t state) {
#ifdef BUTTON5_PRESSED
    return (state & BUTTON5_PRESSED) != 0;
#else
    return 0;
#endif
}
static inline const char *mcptop_codeset(void) { return nl_langinfo(CODESET); }

static inline int mcptop_poll2(int fd1, int fd2, int timeout_ms, int *ready1, int *ready2) {
    struct pollfd fds[2] = {{fd1, POLLIN, 0}, {fd2, POLLIN, 0}};
    int result = poll(fds, 2, timeout_ms);
    *ready1 = (fds[0].revents & (POLLIN | POLLHUP)) != 0;
    *ready2 = (fds[1].revents & (POLLIN | POLLHUP)) != 0;
    return result;
}
#endif
