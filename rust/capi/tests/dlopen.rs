//! The built shared library used the way Julia's `@ccall` uses it: opened with `dlopen`, each
//! function found with `dlsym` by name and called through a C function pointer. The other tests
//! link the Rust rlib; this one checks the cdylib itself (exports, calling convention).

#[cfg(target_os = "linux")]
mod linux {
    use std::ffi::{c_void, CStr, CString};
    use std::os::raw::{c_char, c_int};
    use std::path::PathBuf;
    use std::ptr;

    #[link(name = "dl")]
    extern "C" {
        fn dlopen(filename: *const c_char, flag: c_int) -> *mut c_void;
        fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
        fn dlerror() -> *const c_char;
        fn dlclose(handle: *mut c_void) -> c_int;
    }
    const RTLD_NOW: c_int = 2;

    type Opaque = c_void;
    type AbiVersion = extern "C" fn() -> u32;
    type Open = extern "C" fn(
        *const *const u8,
        *const usize,
        usize,
        u8,
        *const u8,
        usize,
        u8,
        f64,
        *const u8,
        usize,
        *const u8,
        usize,
        u32,
        u8,
        *const u8,
        usize,
        *mut *mut Opaque,
        *mut *mut Opaque,
    ) -> i32;
    type Counts = extern "C" fn(
        *const Opaque,
        *mut u64,
        *mut u64,
        *mut u64,
        *mut u64,
        *mut u64,
        *mut u64,
        *mut u64,
        *mut *mut Opaque,
    ) -> i32;
    type ItemText =
        extern "C" fn(*const Opaque, usize, *mut *const u8, *mut usize, *mut *mut Opaque) -> i32;
    type Free = extern "C" fn(*mut Opaque);
    type ErrorMessage = extern "C" fn(*const Opaque, *mut usize) -> *const u8;

    struct Library(*mut c_void);

    impl Library {
        fn open(path: &std::path::Path) -> Library {
            let c = CString::new(path.to_str().unwrap()).unwrap();
            // SAFETY: a NUL-terminated path; the handle is closed on drop.
            let handle = unsafe { dlopen(c.as_ptr(), RTLD_NOW) };
            assert!(
                !handle.is_null(),
                "dlopen {}: {}",
                path.display(),
                last_error()
            );
            Library(handle)
        }

        /// # Safety
        /// `F` must be the function's true signature.
        unsafe fn get<F: Copy>(&self, name: &str) -> F {
            let c = CString::new(name).unwrap();
            let symbol = dlsym(self.0, c.as_ptr());
            assert!(!symbol.is_null(), "dlsym {name}: {}", last_error());
            assert_eq!(std::mem::size_of::<F>(), std::mem::size_of::<*mut c_void>());
            std::mem::transmute_copy(&symbol)
        }
    }

    impl Drop for Library {
        fn drop(&mut self) {
            // SAFETY: opened by `Library::open`.
            unsafe { dlclose(self.0) };
        }
    }

    fn last_error() -> String {
        // SAFETY: dlerror returns null or a NUL-terminated message.
        let message = unsafe { dlerror() };
        if message.is_null() {
            "no dlerror message".into()
        } else {
            // SAFETY: non-null, NUL-terminated.
            unsafe { CStr::from_ptr(message) }
                .to_string_lossy()
                .into_owned()
        }
    }

    /// As in julia_sources.rs: target/<profile>/deps/ holds the copy built with this test.
    fn library_path() -> Option<PathBuf> {
        let exe = std::env::current_exe().ok()?;
        let deps = exe.parent()?;
        let name = "libcompile_traces.so";
        [deps.join(name), deps.parent()?.join(name)]
            .into_iter()
            .find(|path| path.is_file())
    }

    #[test]
    fn a_round_trip_through_dlopen_and_dlsym() {
        let Some(path) = library_path() else {
            println!("skipping: libcompile_traces.so not found next to the test binary");
            return;
        };
        let lib = Library::open(&path);
        // SAFETY: the signatures are those of rust/capi/src/lib.rs (checked against the
        // Julia side by julia_sources.rs).
        let (version, open, counts, item_text, free, error_message, error_free) = unsafe {
            (
                lib.get::<AbiVersion>("ct_abi_version"),
                lib.get::<Open>("ct_open"),
                lib.get::<Counts>("ct_counts"),
                lib.get::<ItemText>("ct_item_text"),
                lib.get::<Free>("ct_free"),
                lib.get::<ErrorMessage>("ct_error_message"),
                lib.get::<Free>("ct_error_free"),
            )
        };
        assert_eq!(version(), compile_traces::CT_ABI_VERSION);

        let dir = tempfile::tempdir().unwrap();
        let trace = dir.path().join("t.jl");
        std::fs::write(
            &trace,
            "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})\n# comment\n",
        )
        .unwrap();
        let path_text = trace.to_str().unwrap();
        let paths = [path_text.as_ptr()];
        let lens = [path_text.len()];
        let (mut handle, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = open(
            paths.as_ptr(),
            lens.as_ptr(),
            1,
            1,
            ptr::null(),
            0,
            0,
            0.0,
            ptr::null(),
            0,
            ptr::null(),
            0,
            0,
            0,
            ptr::null(),
            0,
            &mut handle,
            &mut err,
        );
        assert_eq!(status, 0);
        let mut c = [0u64; 7];
        let [a, b, d, e, f, g, h] = &mut c;
        assert_eq!(counts(handle, a, b, d, e, f, g, h, &mut err), 0);
        assert_eq!(c, [1, 0, 0, 1, 0, 0, 1]);
        let (mut text, mut len) = (ptr::null(), 0usize);
        assert_eq!(item_text(handle, 0, &mut text, &mut len, &mut err), 0);
        // SAFETY: valid until `free(handle)`.
        let text = unsafe { std::slice::from_raw_parts(text, len) };
        assert_eq!(
            text,
            b"precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})"
        );
        free(handle);

        // An error crosses the boundary as a status and a message.
        let missing = dir.path().join("missing.jl");
        let missing_text = missing.to_str().unwrap();
        let paths = [missing_text.as_ptr()];
        let lens = [missing_text.len()];
        let status = open(
            paths.as_ptr(),
            lens.as_ptr(),
            1,
            1,
            ptr::null(),
            0,
            0,
            0.0,
            ptr::null(),
            0,
            ptr::null(),
            0,
            0,
            0,
            ptr::null(),
            0,
            &mut handle,
            &mut err,
        );
        assert_eq!(status, compile_traces::CT_ERR_IO);
        let mut len = 0usize;
        let message = error_message(err, &mut len);
        // SAFETY: valid until `error_free(err)`.
        let message = String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(message, len) })
            .into_owned();
        assert!(message.contains(missing_text), "{message}");
        error_free(err);
    }
}
