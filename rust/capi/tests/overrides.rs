//! `ct_resolve_overrides` reads the C environment at call time. Julia's `withenv` sets variables
//! with libc `setenv` on Unix (base/env.jl `_setenv`), so this test sets them the same way,
//! through libc rather than `std::env::set_var`, and checks the library sees each change.
//! Its own test binary: changing the environment while other test threads read it is unsound.

// Unix only: on Windows Julia uses SetEnvironmentVariableW, which this test does not exercise.
#[cfg(unix)]
mod unix {
    use std::ffi::CString;
    use std::os::raw::{c_char, c_int};
    use std::ptr;

    use compile_traces::*;

    extern "C" {
        fn setenv(name: *const c_char, value: *const c_char, overwrite: c_int) -> c_int;
        fn unsetenv(name: *const c_char) -> c_int;
    }

    fn c_setenv(name: &str, value: Option<&str>) {
        let name = CString::new(name).unwrap();
        // SAFETY: NUL-terminated strings; this binary has a single test, so no concurrent access.
        let rc = unsafe {
            match value {
                Some(value) => setenv(name.as_ptr(), CString::new(value).unwrap().as_ptr(), 1),
                None => unsetenv(name.as_ptr()),
            }
        };
        assert_eq!(rc, 0);
    }

    fn resolve(module: &str, verbose: bool, warn: bool) -> u32 {
        let mut bits = 99;
        let mut err = ptr::null_mut();
        let status = ct_resolve_overrides(
            module.as_ptr(),
            module.len(),
            verbose as u8,
            warn as u8,
            &mut bits,
            &mut err,
        );
        assert_eq!(status, CT_OK);
        assert!(err.is_null());
        bits
    }

    #[test]
    fn overrides_follow_libc_setenv_at_call_time() {
        const V: &str = "JULIA_COMPILE_TRACES_VERBOSE";
        const W: &str = "JULIA_COMPILE_TRACES_WARN";
        c_setenv(V, None);
        c_setenv(W, None);
        assert_eq!(resolve("MyPkg", false, false), 0);

        c_setenv(V, Some("Other, MyPkg"));
        assert_eq!(resolve("MyPkg", false, false), CT_OVERRIDE_VERBOSE);
        assert_eq!(
            resolve("Other", false, true),
            CT_OVERRIDE_VERBOSE | CT_OVERRIDE_WARN
        );
        assert_eq!(resolve("Third", false, false), 0);

        c_setenv(W, Some("all"));
        assert_eq!(resolve("Third", false, false), CT_OVERRIDE_WARN);

        // Restored as `withenv` does on exit: the next call sees it at once.
        c_setenv(V, None);
        c_setenv(W, Some(""));
        assert_eq!(resolve("MyPkg", false, false), 0);
        assert_eq!(resolve("MyPkg", true, false), CT_OVERRIDE_VERBOSE);
    }
}
