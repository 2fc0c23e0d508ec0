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
#if defined(__linux__)
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
