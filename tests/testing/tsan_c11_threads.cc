// C11 <threads.h> on top of POSIX threads, linked into ThreadSanitizer builds only.
//
// librdkafka creates its threads and takes its locks through C11 threads (thrd_create, mtx_lock,
// cnd_wait, ...). The ThreadSanitizer runtimes of g++ 12 and clang 14 intercept the pthread
// functions but not these, so a librdkafka thread is unknown to TSan and the first intercepted
// call it makes crashes the process (SEGV in the runtime), and its locking is invisible. Defined
// in the executable, these definitions take the place of glibc's for every library (the dynamic
// linker binds a library's reference to the executable's symbol first) and forward to pthreads,
// which TSan does see. glibc lays out thrd_t, mtx_t, cnd_t and once_flag as pthread_t,
// pthread_mutex_t, pthread_cond_t and pthread_once_t (checked below).
#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <new>

static_assert(sizeof(thrd_t) == sizeof(pthread_t));
static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t));
static_assert(sizeof(once_flag) == sizeof(pthread_once_t));

namespace {

struct Start {
  thrd_start_t func;
  void* arg;
};

void* Trampoline(void* p) {
  Start start = *static_cast<Start*>(p);
  delete static_cast<Start*>(p);
  return reinterpret_cast<void*>(static_cast<intptr_t>(start.func(start.arg)));
}

int FromErrno(int err) {
  switch (err) {
    case 0:
      return thrd_success;
    case EBUSY:
      return thrd_busy;
    case ETIMEDOUT:
      return thrd_timedout;
    case ENOMEM:
      return thrd_nomem;
    default:
      return thrd_error;
  }
}

pthread_mutex_t* Mutex(mtx_t* m) { return reinterpret_cast<pthread_mutex_t*>(m); }
pthread_cond_t* Cond(cnd_t* c) { return reinterpret_cast<pthread_cond_t*>(c); }

}  // namespace

extern "C" {

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  auto* start = new (std::nothrow) Start{func, arg};
  if (start == nullptr) return thrd_nomem;
  // Written before the thread runs, as glibc does (thrd_t is pthread_t there).
  const int err = pthread_create(reinterpret_cast<pthread_t*>(thr), nullptr, Trampoline, start);
  if (err != 0) delete start;
  return FromErrno(err);
}

int thrd_join(thrd_t thr, int* res) {
  void* result = nullptr;
  const int err = pthread_join(static_cast<pthread_t>(thr), &result);
  if (err == 0 && res != nullptr) *res = static_cast<int>(reinterpret_cast<intptr_t>(result));
  return FromErrno(err);
}

int thrd_detach(thrd_t thr) { return FromErrno(pthread_detach(static_cast<pthread_t>(thr))); }

int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  if (type & mtx_recursive) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  const int err = pthread_mutex_init(Mutex(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return FromErrno(err);
}

int mtx_lock(mtx_t* m) { return FromErrno(pthread_mutex_lock(Mutex(m))); }
int mtx_trylock(mtx_t* m) { return FromErrno(pthread_mutex_trylock(Mutex(m))); }
int mtx_unlock(mtx_t* m) { return FromErrno(pthread_mutex_unlock(Mutex(m))); }
int mtx_timedlock(mtx_t* __restrict m, const struct timespec* __restrict t) {
  return FromErrno(pthread_mutex_timedlock(Mutex(m), t));
}
void mtx_destroy(mtx_t* m) { pthread_mutex_destroy(Mutex(m)); }

int cnd_init(cnd_t* c) { return FromErrno(pthread_cond_init(Cond(c), nullptr)); }
int cnd_signal(cnd_t* c) { return FromErrno(pthread_cond_signal(Cond(c))); }
int cnd_broadcast(cnd_t* c) { return FromErrno(pthread_cond_broadcast(Cond(c))); }
int cnd_wait(cnd_t* c, mtx_t* m) { return FromErrno(pthread_cond_wait(Cond(c), Mutex(m))); }
int cnd_timedwait(cnd_t* __restrict c, mtx_t* __restrict m,
                  const struct timespec* __restrict t) {
  return FromErrno(pthread_cond_timedwait(Cond(c), Mutex(m), t));
}
void cnd_destroy(cnd_t* c) { pthread_cond_destroy(Cond(c)); }

void call_once(once_flag* flag, void (*func)(void)) {
  pthread_once(reinterpret_cast<pthread_once_t*>(flag), func);
}

}  // extern "C"
