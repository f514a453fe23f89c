/* Binds every IPv4/IPv6 listening socket of the process it is preloaded into to
 * the loopback address. Orthanc 1.10 has no option for the address it listens
 * on; the tests start it with LD_PRELOAD so that it is reachable from this
 * machine only. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real_bind)(int, const struct sockaddr *, socklen_t) = 0;
    if (!real_bind) real_bind = dlsym(RTLD_NEXT, "bind");
    if (addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        struct sockaddr_in local;
        memcpy(&local, addr, sizeof local);
        local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return real_bind(fd, (const struct sockaddr *)&local, sizeof local);
    }
    if (addr && addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 local;
        memcpy(&local, addr, sizeof local);
        local.sin6_addr = in6addr_loopback;
        return real_bind(fd, (const struct sockaddr *)&local, sizeof local);
    }
    return real_bind(fd, addr, len);
}
