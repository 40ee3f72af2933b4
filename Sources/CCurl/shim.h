// Small C shims over libcurl for Swift: curl_easy_setopt, curl_multi_setopt and
// curl_easy_getinfo are variadic, which Swift cannot call, and CURLMsg carries its result in
// a union. One non-variadic function per argument type.
#ifndef WARDEN_CCURL_SHIM_H
#define WARDEN_CCURL_SHIM_H

#include <curl/curl.h>

typedef size_t (*warden_curl_data_callback)(char *buffer, size_t size, size_t count, void *context);
typedef int (*warden_curl_progress_callback)(void *context, curl_off_t download_total, curl_off_t download_now,
                                             curl_off_t upload_total, curl_off_t upload_now);

static inline CURLcode warden_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode warden_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode warden_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode warden_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode warden_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode warden_easy_setopt_data_callback(CURL *handle, CURLoption option, warden_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode warden_easy_setopt_progress_callback(CURL *handle, CURLoption option, warden_curl_progress_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode warden_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode warden_easy_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode warden_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode warden_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// The handle a finished transfer message is about, and its result; 0 for other messages.
static inline int warden_multi_message_done(CURLMsg *message, CURL **handle, CURLcode *result) {
    if (message == NULL || message->msg != CURLMSG_DONE) {
        return 0;
    }
    *handle = message->easy_handle;
    *result = message->data.result;
    return 1;
}

/// The version of the libcurl in use ("7.88.1").
static inline const char *warden_curl_version(void) {
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info != NULL ? info->version : "unknown";
}

#endif
