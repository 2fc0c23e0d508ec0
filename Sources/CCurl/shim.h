// Swift cannot call C variadic functions, so each libcurl setopt/getinfo variant
// we use gets a typed wrapper here (swift-corelibs-foundation does the same).
#ifndef MCPTOP_CCURL_SHIM_H
#define MCPTOP_CCURL_SHIM_H
#include <curl/curl.h>

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
static inline const char *mcptop_curl_version(void) {
    return curl_version_info(CURLVERSION_NOW)->version;
}
#endif
