// Swift cannot call C variadic functions, so each libcurl setopt/getinfo variant
// we use gets a typed wrapper here (swift-corelibs-foundation does the same).
#ifndef MCPTOP_CCURL_SHIM_H
#define MCPTOP_CCURL_SHIM_H
#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <errno.h>
#include <stdint.h>
#include <time.h>
#if defined(__linux__)
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#elif defined(__APPLE__)
#include <pthread.h>
#endif

typedef size_t (*mcptop_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*mcptop_curl_xferinfo_cb)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                       curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode mcptop_easy_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode mcptop_easy_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode mcptop_easy_setopt_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode mcptop_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode mcptop_easy_setopt_offset(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode mcptop_easy_setopt_data_cb(CURL *h, CURLoption o, mcptop_curl_data_cb v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode mcptop_easy_setopt_xferinfo_cb(CURL *h, mcptop_curl_xferinfo_cb v) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v);
}
static inline CURLcode mcptop_easy_getinfo_long(CURL *h, CURLINFO i, long *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode mcptop_easy_getinfo_double(CURL *h, CURLINFO i, double *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode mcptop_easy_getinfo_string(CURL *h, CURLINFO i, char **v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLMcode mcptop_multi_setopt_long(CURLM *m, CURLMoption o, long v) {
    return curl_multi_setopt(m, o, v);
}
typedef int (*mcptop_curl_sockopt_cb)(void *clientp, curl_socket_t fd, curlsocktype purpose);
typedef int (*mcptop_curl_closesocket_cb)(void *clientp, curl_socket_t fd);
typedef int (*mcptop_curl_prereq_cb)(void *clientp, char *primary_ip, char *local_ip, int primary_port,
                                     int local_port);

static inline CURLcode mcptop_easy_setopt_sockopt_cb(CURL *h, mcptop_curl_sockopt_cb v) {
    return curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, v);
}
static inline CURLcode mcptop_easy_setopt_closesocket_cb(CURL *h, mcptop_curl_closesocket_cb v) {
    return curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, v);
}
static inline CURLcode mcptop_easy_setopt_prereq_cb(CURL *h, mcptop_curl_prereq_cb v) {
    return curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, v);
}

typedef int (*mcptop_multi_timer_cb)(void *multi, long timeout_ms, void *userp);

static inline CURLMcode mcptop_multi_setopt_timer_cb(CURLM *m, mcptop_multi_timer_cb v, void *userp) {
    CURLMcode code = curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, v);
    return code != CURLM_OK ? code : curl_multi_setopt(m, CURLMOPT_TIMERDATA, userp);
}

#if defined(__linux__)
/* libcurl's multi_socket interface over epoll: libcurl says which sockets it waits on (its
 * socket callback, below, changes the epoll set at once, from whichever thread drives libcurl,
 * while another thread may be waiting in epoll_wait), and the waiting thread tells libcurl
 * which became ready. */
static inline int mcptop_curl_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
    (void)easy;
    (void)socketp;
    int poller = (int)(intptr_t)userp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(poller, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    struct epoll_event event = {0};
    event.data.fd = fd;
    if (what & CURL_POLL_IN) event.events |= EPOLLIN;
    if (what & CURL_POLL_OUT) event.events |= EPOLLOUT;
    if (epoll_ctl(poller, EPOLL_CTL_MOD, fd, &event) != 0 && errno == ENOENT)
        epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
    return 0;
}

/* An epoll set that libcurl's sockets join and leave by themselves, or -1. */
static inline int mcptop_multi_use_epoll(CURLM *m) {
    int poller = epoll_create1(EPOLL_CLOEXEC);
    if (poller < 0) return -1;
    if (curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, mcptop_curl_socket_cb) != CURLM_OK ||
        curl_multi_setopt(m, CURLMOPT_SOCKETDATA, (void *)(intptr_t)poller) != CURLM_OK) {
        close(poller);
        return -1;
    }
    return poller;
}

/* An eventfd in the epoll set, to wake its waiter from another thread; -1 on failure. */
static inline int mcptop_epoll_add_waker(int poller) {
    int waker = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (waker < 0) return -1;
    struct epoll_event event = {0};
    event.events = EPOLLIN;
    event.data.fd = waker;
    if (epoll_ctl(poller, EPOLL_CTL_ADD, waker, &event) != 0) {
        close(waker);
        return -1;
    }
    return waker;
}

static inline void mcptop_wake(int waker) {
    uint64_t one = 1;
    ssize_t written = write(waker, &one, sizeof(one));
    (void)written;  /* EAGAIN: the counter is full, so the waiter wakes anyway */
}

static inline void mcptop_drain_waker(int waker) {
    uint64_t count;
    ssize_t got = read(waker, &count, sizeof(count));
    (void)got;
}

/* Waits up to timeout_ms (-1: no limit) and writes each ready socket with its CURL_CSELECT_*
 * bits; returns how many, 0 on timeout or a signal. */
static inline int mcptop_epoll_wait(int poller, int *fds, int *ready, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count = epoll_wait(poller, events, capacity, timeout_ms);
    if (count < 0) return 0;
    for (int index = 0; index < count; index++) {
        uint32_t bits = events[index].events;
        fds[index] = events[index].data.fd;
        /* An error or a hang-up is told as readable and writable, as libcurl's own poll does:
         * the read or write then finds what happened (CURL_CSELECT_ERR alone would fail the
         * transfer with a vaguer message, or a new one on a reused descriptor). */
        if (bits & (EPOLLERR | EPOLLHUP)) bits |= EPOLLIN | EPOLLOUT;
        ready[index] = ((bits & EPOLLIN) ? CURL_CSELECT_IN : 0) | ((bits & EPOLLOUT) ? CURL_CSELECT_OUT : 0);
    }
    return count;
}
#endif

/* Milliseconds on a clock that only goes forward, for libcurl's timer. */
static inline int64_t mcptop_monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

#if defined(__linux__) && !defined(TCP_QUICKACK)
#define TCP_QUICKACK 12 /* linux/tcp.h; glibc hides it without _DEFAULT_SOURCE */
#endif

/* Acknowledges received data at once (Linux TCP_QUICKACK). A server that writes a response in
 * two pieces with Nagle's algorithm on waits for our ACK of the first before sending the
 * second, and delayed ACKs make that ~40 ms on every reused connection. */
static inline void mcptop_quick_ack(int fd) {
#ifdef TCP_QUICKACK
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
    (void)fd;
#endif
}

/* Names the calling thread (15 bytes show), for top -H, perf and gdb. */
static inline void mcptop_name_this_thread(const char *name) {
#if defined(__linux__)
    prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
#elif defined(__APPLE__)
    pthread_setname_np(name);
#else
    (void)name;
#endif
}

/* The local port of a connected socket, or -1. */
static inline int mcptop_local_port(int fd) {
    struct sockaddr_storage address;
    socklen_t length = sizeof(address);
    if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) return -1;
    if (address.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&address)->sin_port);
    if (address.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&address)->sin6_port);
    return -1;
}

static inline const char *mcptop_curl_version(void) {
    return curl_version_info(CURLVERSION_NOW)->version;
}
#endif
