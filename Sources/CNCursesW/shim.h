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
#endif
