//! Option overrides from the environment: `JULIA_COMPILE_TRACES_VERBOSE` and
//! `JULIA_COMPILE_TRACES_WARN` name the modules for which an option is forced on.
//!
//! Resolved here rather than in Julia so that the rule has one implementation, tested without
//! Julia. The environment is read at call time, so Julia's `withenv` takes effect.

/// Environment variable that forces `verbose = true` for the modules it lists.
pub const VERBOSE_VAR: &str = "JULIA_COMPILE_TRACES_VERBOSE";
/// Environment variable that forces `warn = true` for the modules it lists.
pub const WARN_VAR: &str = "JULIA_COMPILE_TRACES_WARN";

/// Whether `module` is named by `list`: comma-separated module names, spaces around names
/// ignored, `all` matching every module. Names are compared exactly (Julia names are
/// case-sensitive).
pub fn lists_module(list: &str, module: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .any(|name| name == "all" || (!name.is_empty() && name == module))
}

/// The options a caller asked for, after the environment had its say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Effective {
    pub verbose: bool,
    pub warn: bool,
}

/// Effective options for `module` given the caller's choice and a way to read variables.
/// An override can only turn an option on: an unset, empty or non-matching variable keeps the
/// caller's value.
pub fn resolve_with(
    module: &str,
    requested: Effective,
    lookup: impl Fn(&str) -> Option<String>,
) -> Effective {
    let forced = |var: &str| lookup(var).is_some_and(|list| lists_module(&list, module));
    Effective {
        verbose: requested.verbose || forced(VERBOSE_VAR),
        warn: requested.warn || forced(WARN_VAR),
    }
}

/// [`resolve_with`] reading the process environment. A variable that is not valid Unicode is
/// treated as unset.
pub fn resolve(module: &str, requested: Effective) -> Effective {
    resolve_with(module, requested, |var| std::env::var(var).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |var| {
            pairs
                .iter()
                .find(|(name, _)| *name == var)
                .map(|(_, value)| value.to_string())
        }
    }

    const OFF: Effective = Effective {
        verbose: false,
        warn: false,
    };

    #[test]
    fn listed_module_turns_option_on() {
        let lookup = env(&[(VERBOSE_VAR, "Foo, MyPkg ,Bar")]);
        let got = resolve_with("MyPkg", OFF, &lookup);
        assert_eq!(
            got,
            Effective {
                verbose: true,
                warn: false
            }
        );
        assert_eq!(resolve_with("Other", OFF, &lookup), OFF);
    }

    #[test]
    fn all_matches_every_module() {
        let lookup = env(&[(WARN_VAR, " all ")]);
        assert!(resolve_with("Anything", OFF, &lookup).warn);
        assert!(!resolve_with("Anything", OFF, &lookup).verbose);
    }

    #[test]
    fn override_never_turns_an_option_off() {
        let on = Effective {
            verbose: true,
            warn: true,
        };
        assert_eq!(
            resolve_with("MyPkg", on, env(&[(VERBOSE_VAR, "Other")])),
            on
        );
        assert_eq!(resolve_with("MyPkg", on, env(&[(WARN_VAR, "")])), on);
        assert_eq!(resolve_with("MyPkg", on, env(&[])), on);
    }

    #[test]
    fn names_match_exactly() {
        assert!(!lists_module("mypkg", "MyPkg"));
        assert!(!lists_module("MyPkg2", "MyPkg"));
        assert!(!lists_module("", "MyPkg"));
        assert!(!lists_module(",,", ""));
        assert!(lists_module("A,,MyPkg,", "MyPkg"));
    }
}
