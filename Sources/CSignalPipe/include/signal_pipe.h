#ifndef MCPTOP_SIGNAL_PIPE_H
#define MCPTOP_SIGNAL_PIPE_H

/* SIGINT, SIGTERM and SIGHUP write 'Q', SIGWINCH writes 'W', to `fd` (write is
 * async-signal-safe); the UI thread polls the pipe. SIGWINCH then also runs the handler that
 * was installed before (ncurses' own), which marks the resize so that the next wget_wch
 * returns KEY_RESIZE with the new size applied. */
void mcptop_install_signal_pipe(int fd);

#endif
