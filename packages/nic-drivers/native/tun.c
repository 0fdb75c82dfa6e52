/*
 * netstack_tun: the few system calls a TAP device needs and Node does not offer — open
 * /dev/net/tun with TUNSETIFF, TUNSETVNETHDRSZ, TUNSETOFFLOAD, read/write into caller-owned
 * (pooled) memory, and a libuv readiness watcher (uv_poll, epoll underneath) so reads never
 * busy-loop. Plain N-API C: builds against the local Node headers, no download.
 *
 * Every call returns a negative errno instead of throwing; the TypeScript side turns it into a
 * NetError with the kernel's errno name (see src/tap/native.ts).
 * See Documentation/networking/tuntap.rst and include/uapi/linux/if_tun.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

#define CHECK(call)                                                                   \
  do {                                                                                \
    if ((call) != napi_ok) {                                                          \
      napi_throw_error(env, NULL, "netstack_tun: N-API call failed: " #call);         \
      return NULL;                                                                    \
    }                                                                                 \
  } while (0)

static napi_value int_value(napi_env env, int64_t v) {
  napi_value out;
  if (napi_create_int64(env, v, &out) != napi_ok) return NULL;
  return out;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "netstack_tun: missing arguments");
    return -1;
  }
  return 0;
}

static int get_i32(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "netstack_tun: expected a number");
    return -1;
  }
  return 0;
}

/* open(name, flags): fd (non-blocking, close-on-exec) attached to the device, or -errno. */
static napi_value tun_open(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char name[IFNAMSIZ];
  size_t len = 0;
  int32_t flags;
  if (get_args(env, info, 2, argv) < 0) return NULL;
  CHECK(napi_get_value_string_utf8(env, argv[0], name, sizeof(name), &len));
  if (get_i32(env, argv[1], &flags) < 0) return NULL;
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return int_value(env, -errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  memcpy(ifr.ifr_name, name, len < IFNAMSIZ ? len : IFNAMSIZ - 1);
  ifr.ifr_flags = (short)flags;
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    return int_value(env, -err);
  }
  return int_value(env, fd);
}

/* ifname(fd): the name the kernel gave the device (TUNGETIFF), or -errno. */
static napi_value tun_ifname(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  int32_t fd;
  if (get_args(env, info, 1, argv) < 0 || get_i32(env, argv[0], &fd) < 0) return NULL;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  if (ioctl(fd, TUNGETIFF, &ifr) < 0) return int_value(env, -errno);
  CHECK(napi_create_string_utf8(env, ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ), &out));
  return out;
}

/* setVnetHdrSz(fd, size): TUNSETVNETHDRSZ; 0 or -errno. */
static napi_value tun_set_vnet_hdr_sz(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd, size;
  if (get_args(env, info, 2, argv) < 0 || get_i32(env, argv[0], &fd) < 0 || get_i32(env, argv[1], &size) < 0) return NULL;
  int sz = size;
  return int_value(env, ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0 ? -errno : 0);
}

/* setOffload(fd, TUN_F_* bits): TUNSETOFFLOAD; 0 or -errno. */
static napi_value tun_set_offload(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd, bits;
  if (get_args(env, info, 2, argv) < 0 || get_i32(env, argv[0], &fd) < 0 || get_i32(env, argv[1], &bits) < 0) return NULL;
  return int_value(env, ioctl(fd, TUNSETOFFLOAD, (unsigned long)(uint32_t)bits) < 0 ? -errno : 0);
}

/* linkUp(name): set IFF_UP on the kernel's side of the device (as `ip link set NAME up`); 0 or -errno. */
static napi_value tun_link_up(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char name[IFNAMSIZ];
  size_t len = 0;
  if (get_args(env, info, 1, argv) < 0) return NULL;
  CHECK(napi_get_value_string_utf8(env, argv[0], name, sizeof(name), &len));
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return int_value(env, -errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  memcpy(ifr.ifr_name, name, len);
  int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
  if (rc == 0 && !(ifr.ifr_flags & IFF_UP)) {
    ifr.ifr_flags |= IFF_UP;
    rc = ioctl(s, SIOCSIFFLAGS, &ifr);
  }
  int err = rc < 0 ? -errno : 0;
  close(s);
  return int_value(env, err);
}

/* The bytes [offset, offset + len) of a Uint8Array (over an ArrayBuffer or a SharedArrayBuffer). */
static uint8_t *view_range(napi_env env, napi_value arr, napi_value off_v, napi_value len_v, size_t *len_out) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  int32_t off, len;
  if (napi_get_typedarray_info(env, arr, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "netstack_tun: expected a Uint8Array");
    return NULL;
  }
  if (get_i32(env, off_v, &off) < 0 || get_i32(env, len_v, &len) < 0) return NULL;
  if (off < 0 || len < 0 || (size_t)off + (size_t)len > length) {
    napi_throw_range_error(env, NULL, "netstack_tun: range outside the array");
    return NULL;
  }
  *len_out = (size_t)len;
  return (uint8_t *)data + off;
}

/* One read(2) or write(2) of the bytes u8[offset, offset + len): bytes moved, or -errno. */
static napi_value tun_io(napi_env env, napi_callback_info info, int writing) {
  napi_value argv[4];
  int32_t fd;
  size_t len;
  if (get_args(env, info, 4, argv) < 0 || get_i32(env, argv[0], &fd) < 0) return NULL;
  uint8_t *p = view_range(env, argv[1], argv[2], argv[3], &len);
  if (p == NULL) return NULL;
  ssize_t n;
  do n = writing ? write(fd, p, len) : read(fd, p, len); while (n < 0 && errno == EINTR);
  return int_value(env, n < 0 ? -errno : n);
}

/* read(fd, u8, offset, maxLen): bytes read (one frame), or -errno (-EAGAIN when none is waiting). */
static napi_value tun_read(napi_env env, napi_callback_info info) { return tun_io(env, info, 0); }

/* write(fd, u8, offset, len): bytes written (the whole frame), or -errno. */
static napi_value tun_write(napi_env env, napi_callback_info info) { return tun_io(env, info, 1); }

/* close(fd): 0 or -errno. */
static napi_value tun_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (get_args(env, info, 1, argv) < 0 || get_i32(env, argv[0], &fd) < 0) return NULL;
  return int_value(env, close(fd) < 0 ? -errno : 0);
}

/* A readiness watcher: uv_poll on the fd, calling back into JS with the ready events. */
typedef struct {
  uv_poll_t handle;
  napi_env env;
  napi_ref callback;
  napi_async_context ctx;
  int closed;
  /* Owners of the memory: the JS external and the libuv handle (until its close callback). */
  int owners;
} watcher_t;

static void release(watcher_t *w) {
  if (--w->owners == 0) free(w);
}

static void on_close(uv_handle_t *h) {
  release((watcher_t *)h->data);
}

static void stop_watcher(napi_env env, watcher_t *w) {
  w->closed = 1;
  uv_poll_stop(&w->handle);
  napi_delete_reference(env, w->callback);
  napi_async_destroy(env, w->ctx);
  uv_close((uv_handle_t *)&w->handle, on_close);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  watcher_t *w = (watcher_t *)h->data;
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_value cb, recv, arg, result;
  if (w->closed || napi_open_handle_scope(env, &scope) != napi_ok) return;
  /* An error (the device went away) reports as readable and writable: the next read/write sees the errno. */
  if (status < 0) events = UV_READABLE | UV_WRITABLE;
  if (napi_get_reference_value(env, w->callback, &cb) == napi_ok && napi_get_global(env, &recv) == napi_ok &&
      napi_create_int32(env, events, &arg) == napi_ok) {
    /* make_callback: runs microtasks afterwards, as any libuv callback into JS does. */
    if (napi_make_callback(env, w->ctx, recv, cb, 1, &arg, &result) == napi_pending_exception) {
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      napi_fatal_exception(env, exc);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void finalize_watcher(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  watcher_t *w = (watcher_t *)data;
  /* Collected without pollClose (the JS side always closes first, but be safe). */
  if (!w->closed) stop_watcher(env, w);
  release(w);
}

/* pollStart(fd, callback): a watcher (not yet watching any event). */
static napi_value tun_poll_start(napi_env env, napi_callback_info info) {
  napi_value argv[2], name, external;
  int32_t fd;
  uv_loop_t *loop;
  if (get_args(env, info, 2, argv) < 0 || get_i32(env, argv[0], &fd) < 0) return NULL;
  CHECK(napi_get_uv_event_loop(env, &loop));
  watcher_t *w = (watcher_t *)calloc(1, sizeof(*w));
  if (w == NULL) return int_value(env, -ENOMEM);
  int rc = uv_poll_init(loop, &w->handle, fd);
  if (rc < 0) {
    free(w);
    return int_value(env, rc);
  }
  w->handle.data = w;
  w->env = env;
  w->owners = 2;
  CHECK(napi_create_reference(env, argv[1], 1, &w->callback));
  CHECK(napi_create_string_utf8(env, "netstack:tap", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, NULL, name, &w->ctx));
  CHECK(napi_create_external(env, w, finalize_watcher, NULL, &external));
  return external;
}

static watcher_t *get_watcher(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "netstack_tun: expected a watcher");
    return NULL;
  }
  return (watcher_t *)data;
}

/* pollEvents(watcher, events): watch UV_READABLE (1) / UV_WRITABLE (2), 0 stops; 0 or -errno. */
static napi_value tun_poll_events(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t events;
  if (get_args(env, info, 2, argv) < 0) return NULL;
  watcher_t *w = get_watcher(env, argv[0]);
  if (w == NULL || get_i32(env, argv[1], &events) < 0) return NULL;
  if (w->closed) return int_value(env, -EBADF);
  int rc = events == 0 ? uv_poll_stop(&w->handle) : uv_poll_start(&w->handle, events, on_poll);
  return int_value(env, rc);
}

/* pollRef(watcher, ref): whether the watcher keeps the event loop (the process) alive. */
static napi_value tun_poll_ref(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  bool ref;
  if (get_args(env, info, 2, argv) < 0) return NULL;
  watcher_t *w = get_watcher(env, argv[0]);
  if (w == NULL) return NULL;
  CHECK(napi_get_value_bool(env, argv[1], &ref));
  if (!w->closed) {
    if (ref) uv_ref((uv_handle_t *)&w->handle);
    else uv_unref((uv_handle_t *)&w->handle);
  }
  return int_value(env, 0);
}

/* pollClose(watcher): stop watching and release the handle (the fd stays open: close it after). */
static napi_value tun_poll_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, 1, argv) < 0) return NULL;
  watcher_t *w = get_watcher(env, argv[0]);
  if (w == NULL) return NULL;
  if (!w->closed) stop_watcher(env, w);
  return int_value(env, 0);
}

static napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"open", NULL, tun_open, NULL, NULL, NULL, napi_default, NULL},
      {"ifname", NULL, tun_ifname, NULL, NULL, NULL, napi_default, NULL},
      {"setVnetHdrSz", NULL, tun_set_vnet_hdr_sz, NULL, NULL, NULL, napi_default, NULL},
      {"setOffload", NULL, tun_set_offload, NULL, NULL, NULL, napi_default, NULL},
      {"linkUp", NULL, tun_link_up, NULL, NULL, NULL, napi_default, NULL},
      {"read", NULL, tun_read, NULL, NULL, NULL, napi_default, NULL},
      {"write", NULL, tun_write, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, tun_close, NULL, NULL, NULL, napi_default, NULL},
      {"pollStart", NULL, tun_poll_start, NULL, NULL, NULL, napi_default, NULL},
      {"pollEvents", NULL, tun_poll_events, NULL, NULL, NULL, napi_default, NULL},
      {"pollRef", NULL, tun_poll_ref, NULL, NULL, NULL, napi_default, NULL},
      {"pollClose", NULL, tun_poll_close, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
