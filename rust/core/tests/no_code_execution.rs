//! The security property of issue 2, checked with an independent parser: a statement that
//! `parse_statement` accepts must never make Julia execute code.
//!
//! Every accepted statement's normalized text is parsed again with tree-sitter-julia and walked
//! against a whitelist of node shapes ([`check_statement`]): the top-level
//! `precompile(..)` / `Base.precompile(..)` call, type expressions (names, qualified names,
//! `var"..."`, curly applications, `where` clauses with bounds, `<:T` / `>:T`), literals, quoted
//! symbols and operators, tuples, and only these calls: `typeof(X)`, `Symbol("...")`,
//! `getfield(M, Symbol("..."))`, `Core.kwftype(typeof(f))`, and a type-looking callee applied to
//! exactly one unsigned hex literal. Anything else (any other call, macro, interpolation, command
//! literal, assignment, `;`, block, arrow function, comprehension or generator, splat, broadcast,
//! an ERROR or MISSING node) fails the check.
//!
//! Inputs: every accepted line of `../shared/corpus` (skipped with a message when absent),
//! mutations of a sample of them with dangerous fragments inserted, a proptest doing the same at
//! random positions, and hand-written controls in both directions so that the walker cannot pass
//! vacuously.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use compile_traces_core::pipeline;
use compile_traces_core::syntax::parse_statement;
use compile_traces_core::{Flags, ItemKind, ProblemKind};
use proptest::prelude::*;
use tree_sitter::{Node, Parser};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// Node kinds that mean code runs (or is defined) when Julia evaluates the text. The whitelist
/// below rejects them anyway; naming them gives a precise message and a second line of defence
/// should the whitelist ever be loosened.
const DENIED_KINDS: &[&str] = &[
    "macrocall_expression",
    "macro_identifier",
    "string_interpolation",
    "interpolation_expression",
    "command_literal",
    "prefixed_command_literal",
    "assignment",
    "compound_assignment_expression",
    "compound_statement",
    "let_statement",
    "function_definition",
    "short_function_definition",
    "macro_definition",
    "arrow_function_expression",
    "do_clause",
    "comprehension_expression",
    "generator",
    "for_clause",
    "splat_expression",
    "broadcast_call_expression",
    "if_statement",
    "try_statement",
    "for_statement",
    "while_statement",
    "quote_statement",
    "ternary_expression",
    "module_definition",
    "struct_definition",
    "import_statement",
    "using_statement",
];

/// Callee prefixes of `var"..."`-style string literals: only `var` (a name, not a string macro).
const NAME_STRING_PREFIX: &str = "var";

thread_local! {
    static JULIA: RefCell<Parser> = RefCell::new({
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_julia::LANGUAGE.into())
            .expect("tree-sitter-julia grammar loads");
        parser
    });
}

/// `Ok` when `text` is one `precompile` call that can run no code; otherwise why not.
///
/// One construct is reported apart rather than failed: a binary `A<:B` / `A>:B` outside a `where`
/// clause (old SnoopCompile output prints `Type{T<:Core.Real}`, and the parser accepts it). Julia
/// evaluates it as a call of the builtin `<:`, which cannot be given methods, on operands this
/// walker has checked, so it runs no user code; but it is a call the documented rules exclude.
/// `Ok` lists those occurrences; [`check_strict`] treats them as failures.
fn check_statement(text: &str) -> Result<Vec<String>, String> {
    let tree = JULIA
        .with(|parser| parser.borrow_mut().parse(text, None))
        .ok_or("tree-sitter returned no tree")?;
    let root = tree.root_node();
    let walker = Walker {
        text,
        subtype_calls: RefCell::new(Vec::new()),
    };
    walker.no_errors_or_denied(root)?;
    walker.every_byte_in_a_token(root)?;
    if root.kind() != "source_file" {
        return Err(format!("root is `{}`, not source_file", root.kind()));
    }
    // One statement (a `;` between statements is dropped by tree-sitter but leaves two nodes).
    let children = all_children(root);
    if children.len() != 1 {
        return Err(format!(
            "{} top-level nodes (`;` or several statements): {}",
            children.len(),
            root.to_sexp()
        ));
    }
    walker.precompile_call(children[0])?;
    Ok(walker.subtype_calls.into_inner())
}

/// [`check_statement`] with binary `<:` / `>:` calls counted as failures too.
fn check_strict(text: &str) -> Result<(), String> {
    match check_statement(text)? {
        calls if calls.is_empty() => Ok(()),
        calls => Err(format!("binary subtype call(s) outside `where`: {calls:?}")),
    }
}

fn collect_leaves(node: Node, out: &mut Vec<std::ops::Range<usize>>) {
    // A string's closing quote belongs to no child node: take strings whole (the walker checks
    // their parts: text and escapes only).
    if node.child_count() == 0
        || matches!(node.kind(), "string_literal" | "prefixed_string_literal")
    {
        out.push(node.byte_range());
        return;
    }
    for child in all_children(node) {
        collect_leaves(child, out);
    }
}

fn all_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

struct Walker<'t> {
    text: &'t str,
    subtype_calls: RefCell<Vec<String>>,
}

impl Walker<'_> {
    fn text(&self, node: Node) -> &str {
        &self.text[node.byte_range()]
    }

    fn fail<T>(&self, node: Node, why: &str) -> Result<T, String> {
        Err(format!(
            "{why}: `{}` at byte {} (node {})",
            self.text(node),
            node.start_byte(),
            node.to_sexp()
        ))
    }

    /// The whole tree: no ERROR / MISSING node, no denied kind, no comment.
    fn no_errors_or_denied(&self, node: Node) -> Result<(), String> {
        if node.is_error() {
            return self.fail(node, "tree-sitter ERROR node");
        }
        if node.is_missing() {
            return self.fail(node, "tree-sitter MISSING node");
        }
        if DENIED_KINDS.contains(&node.kind()) {
            return self.fail(node, &format!("denied node kind {}", node.kind()));
        }
        for child in all_children(node) {
            self.no_errors_or_denied(child)?;
        }
        Ok(())
    }

    /// tree-sitter-julia drops some text from the tree, a `;` ending a statement in particular:
    /// every byte that is not whitespace must lie inside a leaf token, so that nothing the
    /// walker never saw reaches Julia.
    fn every_byte_in_a_token(&self, root: Node) -> Result<(), String> {
        let mut leaves = Vec::new();
        collect_leaves(root, &mut leaves);
        let mut covered = 0;
        for leaf in leaves
            .iter()
            .chain(std::iter::once(&(self.text.len()..self.text.len())))
        {
            let gap = &self.text[covered.min(leaf.start)..leaf.start];
            if let Some(skipped) = gap.find(|c: char| !c.is_whitespace()) {
                return Err(format!(
                    "text outside every token (dropped by tree-sitter): `{}` at byte {}",
                    gap.trim(),
                    covered + skipped
                ));
            }
            covered = covered.max(leaf.end);
        }
        Ok(())
    }

    /// Anonymous children must be among `allowed`; returns the named children.
    fn named_with_tokens<'a>(
        &self,
        node: Node<'a>,
        allowed: &[&str],
    ) -> Result<Vec<Node<'a>>, String> {
        let mut named = Vec::new();
        for child in all_children(node) {
            if child.is_named() {
                named.push(child);
            } else if !allowed.contains(&child.kind()) {
                return self.fail(
                    child,
                    &format!("unexpected token `{}` in {}", child.kind(), node.kind()),
                );
            }
        }
        Ok(named)
    }

    /// The plain arguments of a call: `(a, b)` with no `;` keywords, splat or trailing junk.
    fn arguments<'a>(&self, call: Node<'a>, count: &[usize]) -> Result<Vec<Node<'a>>, String> {
        let children = all_children(call);
        if children.len() != 2 || children[1].kind() != "argument_list" {
            return self.fail(call, "call without a plain argument list (do block?)");
        }
        let args = self.named_with_tokens(children[1], &["(", ")", ","])?;
        if !count.contains(&args.len()) {
            return self.fail(call, &format!("{} arguments", args.len()));
        }
        Ok(args)
    }

    fn one_argument<'a>(&self, call: Node<'a>) -> Result<Node<'a>, String> {
        match self.arguments(call, &[1])?[..] {
            [arg] => Ok(arg),
            _ => self.fail(call, "not one argument"),
        }
    }

    fn two_arguments<'a>(&self, call: Node<'a>) -> Result<(Node<'a>, Node<'a>), String> {
        match self.arguments(call, &[2])?[..] {
            [first, second] => Ok((first, second)),
            _ => self.fail(call, "not two arguments"),
        }
    }

    fn callee<'a>(&self, call: Node<'a>) -> Node<'a> {
        call.child(0).expect("a call_expression has a callee")
    }

    fn precompile_call(&self, node: Node) -> Result<(), String> {
        if node.kind() != "call_expression" {
            return self.fail(node, "top-level node is not a call");
        }
        let callee = self.text(self.callee(node));
        if callee != "precompile" && callee != "Base.precompile" {
            return self.fail(node, "top-level call is not precompile");
        }
        // `Base.precompile` as text: check the node shape too (no `Base.:precompile` tricks).
        self.name_path(self.callee(node))?;
        for arg in self.arguments(node, &[1, 2])? {
            self.value(arg)?;
        }
        Ok(())
    }

    /// `A`, `var"#f"`, `A.B.C`, `Base.:(+)`, `Base.var"#f"`: a name, never a call.
    fn name_path(&self, node: Node) -> Result<(), String> {
        match node.kind() {
            "identifier" => Ok(()),
            "prefixed_string_literal" => self.var_name(node),
            // `(Base.Docs).docerror`: grouping only.
            "parenthesized_expression" => self.name_path(self.parenthesized(node)?),
            "field_expression" => {
                let parts = self.named_with_tokens(node, &["."])?;
                let [object, field] = parts[..] else {
                    return self.fail(node, "field expression without two parts");
                };
                self.name_path(object)?;
                match field.kind() {
                    "identifier" => Ok(()),
                    "prefixed_string_literal" => self.var_name(field),
                    "quote_expression" => self.quoted(field),
                    _ => self.fail(field, "field is not a name"),
                }
            }
            _ => self.fail(node, "not a (qualified) name"),
        }
    }

    /// The one expression inside grouping parentheses (no `;`, no generator, no tuple).
    fn parenthesized<'a>(&self, node: Node<'a>) -> Result<Node<'a>, String> {
        match self.named_with_tokens(node, &["(", ")"])?[..] {
            [inner] => Ok(inner),
            _ => self.fail(node, "parentheses around other than one expression"),
        }
    }

    /// `var"..."`: a name. Any other prefix would be a string macro, i.e. code.
    fn var_name(&self, node: Node) -> Result<(), String> {
        let parts = self.named_with_tokens(node, &["\""])?;
        match parts.split_first() {
            Some((prefix, rest))
                if prefix.kind() == "identifier" && self.text(*prefix) == NAME_STRING_PREFIX =>
            {
                self.string_parts(node, rest)
            }
            _ => self.fail(
                node,
                "prefixed string that is not var\"...\" (a string macro)",
            ),
        }
    }

    /// Contents of a string: text and escapes only, no interpolation.
    fn string_parts(&self, node: Node, parts: &[Node]) -> Result<(), String> {
        for part in parts {
            if !matches!(part.kind(), "content" | "escape_sequence") {
                return self.fail(node, &format!("string contains {}", part.kind()));
            }
        }
        Ok(())
    }

    fn plain_string(&self, node: Node) -> Result<(), String> {
        if node.kind() != "string_literal" {
            return self.fail(node, "not a string literal");
        }
        let parts = self.named_with_tokens(node, &["\""])?;
        self.string_parts(node, &parts)
    }

    /// `:x`, `:π`, `:+`, `:(+)`, `:(==)`: a symbol, never a quoted expression with code.
    fn quoted(&self, node: Node) -> Result<(), String> {
        // tree-sitter reads `:(=)`, `:(::)` and `:(:=)` (as Julia's `show` prints these
        // symbols) as the tokens `:`, `(`, an operator, `)`.
        let kinds: Vec<&str> = all_children(node).iter().map(|c| c.kind()).collect();
        if kinds == [":", "(", "operator", ")"] {
            return Ok(());
        }
        let parts = self.named_with_tokens(node, &[":"])?;
        let [inner] = parts[..] else {
            return self.fail(node, "quote without one operand");
        };
        match inner.kind() {
            "identifier" | "operator" => Ok(()),
            "prefixed_string_literal" => self.var_name(inner),
            "parenthesized_expression" => {
                let parts = self.named_with_tokens(inner, &["(", ")"])?;
                match parts[..] {
                    [op] if op.kind() == "operator" => Ok(()),
                    // `Base.:(var"==")`, `:(var"==")`: Julia 1.12's operator names.
                    [name] if name.kind() == "prefixed_string_literal" => self.var_name(name),
                    _ => self.fail(
                        inner,
                        "quoted parentheses around something else than an operator",
                    ),
                }
            }
            _ => self.fail(node, "quote of something else than a name or operator"),
        }
    }

    /// A type expression or value parameter.
    fn value(&self, node: Node) -> Result<(), String> {
        match node.kind() {
            "identifier" | "field_expression" | "prefixed_string_literal" => self.name_path(node),
            "integer_literal" | "float_literal" | "character_literal" => Ok(()),
            "boolean_literal" => {
                self.named_with_tokens(node, &["true", "false"])?;
                Ok(())
            }
            "string_literal" => self.plain_string(node),
            "quote_expression" => self.quoted(node),
            "parametrized_type_expression" => self.curly_application(node),
            "tuple_expression" => {
                for element in self.named_with_tokens(node, &["(", ")", ","])? {
                    self.value(element)?;
                }
                Ok(())
            }
            "where_expression" => {
                let parts = self.named_with_tokens(node, &["where"])?;
                let [body, vars] = parts[..] else {
                    return self.fail(node, "where without body and variables");
                };
                self.value(body)?;
                if vars.kind() == "curly_expression" {
                    for var in self.named_with_tokens(vars, &["{", "}", ","])? {
                        self.where_var(var)?;
                    }
                    Ok(())
                } else {
                    self.where_var(vars)
                }
            }
            "unary_expression" => {
                let parts = self.named_with_tokens(node, &[])?;
                let [op, operand] = parts[..] else {
                    return self.fail(node, "unary expression without operator and operand");
                };
                match self.text(op) {
                    // `<:Real` / `>:Int` inside braces: a bounded type variable, no call.
                    "<:" | ">:" => self.value(operand),
                    // A negative number literal.
                    "-" if matches!(operand.kind(), "integer_literal" | "float_literal") => Ok(()),
                    // `-Inf`, `-NaN32`: the parser accepts these (and repairs C's `-inf` to
                    // them): Base's `-` on a Base float constant, no user code.
                    "-" if operand.kind() == "identifier"
                        && matches!(
                            self.text(operand),
                            "Inf"
                                | "Inf16"
                                | "Inf32"
                                | "Inf64"
                                | "NaN"
                                | "NaN16"
                                | "NaN32"
                                | "NaN64"
                        ) =>
                    {
                        Ok(())
                    }
                    _ => self.fail(node, "unary operator applied (a call)"),
                }
            }
            "parenthesized_expression" => self.value(self.parenthesized(node)?),
            "binary_expression" => {
                self.subtype_calls
                    .borrow_mut()
                    .push(self.text(node).to_string());
                self.where_var(node)
            }
            "call_expression" => self.allowed_call(node),
            _ => self.fail(
                node,
                &format!("{} is not part of a type expression", node.kind()),
            ),
        }
    }

    /// `Name{P1, P2}` with a name (or a closure type `getfield(M, Symbol("#3#4"))`) as the head.
    fn curly_application(&self, node: Node) -> Result<(), String> {
        let parts = self.named_with_tokens(node, &[])?;
        let [head, curly] = parts[..] else {
            return self.fail(node, "curly application without head and braces");
        };
        if self.callee_text(head) == Some("getfield") {
            self.allowed_call(head)?;
        } else {
            self.name_path(head)?;
        }
        if curly.kind() != "curly_expression" {
            return self.fail(curly, "curly application without braces");
        }
        for param in self.named_with_tokens(curly, &["{", "}", ","])? {
            self.value(param)?;
        }
        Ok(())
    }

    /// `T`, `var"#s1"`, `T<:Real`, `T>:Int`, `Int<:T<:Real`.
    fn where_var(&self, node: Node) -> Result<(), String> {
        match node.kind() {
            "identifier" => Ok(()),
            "prefixed_string_literal" => self.var_name(node),
            "binary_expression" => {
                let parts = self.named_with_tokens(node, &[])?;
                let [left, op, right] = parts[..] else {
                    return self.fail(node, "bound without two sides");
                };
                if !matches!(self.text(op), "<:" | ">:") {
                    return self.fail(op, "where bound with an operator other than <: or >:");
                }
                // Chained `Int64<:T<:Real` nests on the left.
                if left.kind() == "binary_expression" {
                    self.where_var(left)?;
                } else {
                    self.value(left)?;
                }
                self.value(right)
            }
            // The parser takes any type expression as a `where` variable (`where Char(0x41)`).
            // Julia's lowering rejects a variable that is not a name before evaluating anything,
            // so this is no security matter; the expression is still held to the whitelist.
            _ => self.value(node),
        }
    }

    /// The only calls a statement may contain.
    fn allowed_call(&self, node: Node) -> Result<(), String> {
        let callee = self.callee(node);
        match (callee.kind(), self.text(callee)) {
            ("identifier", "typeof") => {
                let arg = self.one_argument(node)?;
                match arg.kind() {
                    "operator" => Ok(()),
                    _ => self.name_path(arg),
                }
            }
            ("identifier", "Symbol") => {
                let arg = self.one_argument(node)?;
                self.plain_string(arg)
            }
            ("identifier", "getfield") => {
                let (module, name) = self.two_arguments(node)?;
                self.name_path(module)?;
                let symbol = self.callee_text(name);
                if name.kind() != "call_expression" || symbol != Some("Symbol") {
                    return self.fail(name, "getfield's second argument is not Symbol(\"...\")");
                }
                self.allowed_call(name)
            }
            ("field_expression", "Core.kwftype") => {
                self.name_path(callee)?;
                let arg = self.one_argument(node)?;
                if arg.kind() != "call_expression" || self.callee_text(arg) != Some("typeof") {
                    return self.fail(arg, "Core.kwftype of something else than typeof(f)");
                }
                self.allowed_call(arg)
            }
            _ => self.bits_value(node, callee),
        }
    }

    fn callee_text(&self, call: Node) -> Option<&str> {
        (call.kind() == "call_expression").then(|| self.text(self.callee(call)))
    }

    /// `Char(0x55000000)`, `SPIRV.Dim(0x00000001)`, `Core.AddrSpace{Core}(0x00)`: a callee that
    /// looks like a type (last name component starts with an ASCII capital) and one unsigned hex
    /// literal.
    fn bits_value(&self, node: Node, callee: Node) -> Result<(), String> {
        let mut name = if callee.kind() == "parametrized_type_expression" {
            self.curly_application(callee)?;
            callee.child(0).expect("curly application has a head")
        } else {
            self.name_path(callee)?;
            callee
        };
        // `(A.B)(0x01)`, `(A){B}(0x01)`: grouping parentheses (already checked by `name_path`).
        while name.kind() == "parenthesized_expression" {
            name = self.parenthesized(name)?;
        }
        let last = if name.kind() == "field_expression" {
            name.named_child(name.named_child_count() - 1)
                .expect("field expression has a field")
        } else {
            name
        };
        let looks_like_type = last.kind() == "identifier"
            && self
                .text(last)
                .starts_with(|c: char| c.is_ascii_uppercase());
        if !looks_like_type {
            return self.fail(node, "call whose callee does not look like a type");
        }
        let arg = self.one_argument(node)?;
        let literal = self.text(arg);
        let hex = literal.strip_prefix("0x").unwrap_or("");
        if arg.kind() != "integer_literal"
            || hex.is_empty()
            || !hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return self.fail(
                node,
                "type applied to something else than one unsigned hex literal",
            );
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs

/// The statement text of a corpus line as the line layer hands it over: indentation, BOM and a
/// leading `#= X ms =#` timing prefix removed.
fn strip_line(line: &str) -> &str {
    let line = line
        .trim_end_matches('\r')
        .trim_start_matches('\u{feff}')
        .trim_start();
    if let Some(rest) = line.strip_prefix("#=") {
        if let Some(end) = rest.find("=#") {
            if rest[..end].trim_end().ends_with("ms") {
                return rest[end + 2..].trim_start();
            }
        }
    }
    line
}

fn corpus_files() -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    for kind in ["trace", "snoop"] {
        let dir = Path::new(CORPUS).join(kind);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) => {
                eprintln!(
                    "SKIPPED: corpus directory {} not readable ({error}); the corpus lives \
                     outside the repository at ../shared/corpus",
                    dir.display()
                );
                return None;
            }
        };
        files.extend(
            entries
                .map(|entry| entry.expect("readable directory entry").path())
                .filter(|path| path.is_file()),
        );
    }
    files.sort();
    Some(files)
}

/// Every corpus line the parser accepts, as `(file:line, stripped line)`, in file order.
fn accepted_corpus_lines() -> Option<Vec<(String, String)>> {
    let mut accepted = Vec::new();
    for path in corpus_files()? {
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            // Invalid UTF-8 is the line layer's business (a malformed line), not the parser's.
            let Ok(line) = std::str::from_utf8(raw) else {
                continue;
            };
            let line = strip_line(line);
            if parse_statement(line).is_ok() {
                accepted.push((format!("{name}:{}", index + 1), line.to_string()));
            }
        }
    }
    Some(accepted)
}

/// Statements with every allowed call form, in the shapes Julia and SnoopCompile print.
const ALLOWED: &[&str] = &[
    "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
    "Base.precompile(Tuple{typeof(Base.:(+)), Int64, Vararg{Any, N} where N})",
    "precompile(Tuple{typeof(+), Base.:(==), Tuple{<:Real}, T} where Int64<:T<:Real)",
    "precompile(Tuple{Core.kwftype(typeof(Base.show)), NamedTuple{(:a,), Tuple{Int64}}, typeof(Base.show), Int64})",
    "precompile(Tuple{getfield(Main, Symbol(\"#3#4\")), Val{Symbol(\"text/plain\")}})",
    "precompile(Tuple{Val{Char(0x55000000)}, Val{SPIRV.Dim(0x00000001)}, Val{Core.AddrSpace{Core}(0x00)}})",
    "precompile(Tuple{var\"#f##0#f##1\", Val{:x}, Val{-1}, Val{1.0f0}, Val{'c'}, Val{\"s\"}, Val{true}, Val{nothing}})",
    "precompile(Tuple{Type{T}, Vector{T}} where {_A, T>:Int64} where var\"#s11\"<:Real)",
    "precompile(f, (Int64, Val{(:a, :b)}, Val{()}, Val{0x01}))",
    // Julia 1.12's operator names, and the texts repairs produce.
    r#"precompile(Tuple{typeof(Base.:(var"==")), Val{:(var"==")}, Val{:var"text/plain"}})"#,
    r#"precompile(Tuple{Val{Inf}, Val{-Inf}, Val{NaN32}, Val{-Inf32}, Val{1.5f0}, Val{1.0f10}, Val{2.5f-5}})"#,
    "precompile(Tuple{Val{:.}, Val{:...}, Val{:.+}, Val{(:.==, :..)}, Val{:->}, Val{:&&}, Val{:+=}})",
    r##"precompile(Tuple{Base.Pair{var"#s814", var"#s813"} where var"#s813"<:Integer where var"#s814"<:Integer})"##,
];

/// Mis-printed statements the parser repairs (and their repaired texts must pass the walker).
const REPAIRED: &[&str] = &[
    "precompile(Tuple{Base.Pair{#s814, #s813} where #s813<:Integer where #s814<:Integer})",
    "precompile(Tuple{Val{inf}, Val{-inf}, Val{nan}, Val{inff}, Val{-inff}, Val{nanf}})",
    "precompile(Tuple{Val{1.5f}, Val{1f}, Val{1e+10f}, Val{-2.5e-05f}})",
    "precompile(Tuple{Base.Val{:=}, Val{:==}, Val{:===}, Val{:=>}, Val{::}, Val{:::}, Val{::=}})",
    r#"precompile(Tuple{Val{Symbol("yyyy-mm-dd\THH:MM:SS")}, Val{:=}, Val{#s1} where #s1})"#,
];

/// Statements written over several lines: whatever the pipeline makes of them must pass the
/// walker, and none of the dangerous ones may be a statement.
const MULTI_LINE: &[&str] = &[
    "precompile(\n    Tuple{typeof(Base.show), Base.IOContext{Base.TTY}, Base.Multimedia.MIME{:var\"text/plain\"}},\n)\n",
    "precompile(\n    Tuple{\n        typeof(Core.memoryref),\n        GenericMemory{:not_atomic, NamedTuple{names, T} where {T <: Tuple} where names, Core.AddrSpace{Core}(0x00)},\n    },\n)\n",
    "precompile(f,\n  (Int64,\n  ),\n)\n",
];

const MULTI_LINE_DANGEROUS: &[&str] = &[
    "precompile(\n    Tuple{Val{exit(0)}},\n)\n",
    "precompile(\n    Tuple{Int64}\n); exit(0)\n",
    "precompile(\n    Tuple{Int64},\n    exit(0),\n)\n",
    "precompile(\n    Tuple{Val{\"a$(b)\"}},\n)\n",
    "precompile(\n    Tuple{Val{x\n = 1}},\n)\n",
    "precompile(\n    Tuple{Int64} # )\n) do x\nend\n",
    "precompile(\n    Tuple{Val{`ls\n`}}\n)\n",
    "precompile(\n    Tuple{Val{:(\nexit(0))}}\n)\n",
];

/// Statements (and fragments) that would run code. Each must fail the walker directly, and the
/// parser must reject each.
const DANGEROUS: &[&str] = &[
    "precompile(Tuple{typeof(run(`ls`))})",
    "precompile(Tuple{Val{exit(0)}})",
    "precompile(Tuple{Val{Base.exit(0x01)}})",
    "precompile(Tuple{Val{x = 1}})",
    "precompile(Tuple{Int64}); exit(0)",
    "precompile(Tuple{Int64});",
    "@time precompile(Tuple{Int64})",
    "precompile(Tuple{Val{@__MODULE__}})",
    "precompile(Tuple{Val{\"a$(b)\"}})",
    "precompile(Tuple{Val{Symbol(\"a$(b)\")}})",
    // An escaped backslash, then a real interpolation; an escaped quote, then one.
    r#"precompile(Tuple{Val{Symbol("a\\$(b)")}})"#,
    r#"precompile(Tuple{Val{"a\"$(b)"}})"#,
    "precompile(Tuple{Val{$(x)}})",
    "precompile(Tuple{Val{() -> 1}})",
    "precompile(Tuple{Val{x -> 1}})",
    "precompile(Tuple{Val{[i for i in 1:2]}})",
    "precompile(Tuple{Val{(i for i in 1:2)}})",
    "precompile(Tuple{f(x...)})",
    "precompile(Tuple{Val{f.(x)}})",
    "precompile(Tuple{Val{begin 1 end}})",
    "precompile(Tuple{Val{let x = 1; x end}})",
    "precompile(Tuple{Val{Core.eval(Main, 1)}})",
    "precompile(Tuple{getfield(Main, :x)()})",
    "precompile(Tuple{getfield(Main, Symbol(\"x\"))()})",
    "precompile(Tuple{Val{Char(0x41)(1)}})",
    "precompile(Tuple{Val{T(0x1, 0x2)}})",
    "precompile(Tuple{Val{Char(1)}})",
    "precompile(Tuple{Val{Char(-0x1)}})",
    "precompile(Tuple{Val{Base.exit(0x01)}})",
    "precompile(Tuple{Val{ccall(:x, Cvoid, ())}})",
    "precompile(Tuple{Val{r\"a\"}})",
    "precompile(Tuple{Val{x\"a\"}})",
    "precompile(Tuple{Val{1 + 2}})",
    "precompile(Tuple{Val{-x}})",
    "precompile(Tuple{Val{a ? b : c}})",
    "precompile(Tuple{Val{Symbol(x)}})",
    "precompile(Tuple{typeof(f(x))})",
    "precompile(Tuple{Core.kwftype(f)})",
    "precompile(Tuple{Val{x[1]}})",
    "precompile(Tuple{Val{a::Int}})",
    "precompile(Tuple{Int64}, 1; kw = 1)",
    "precompile(Tuple{Int64}) do x end",
    "exit(0)",
    "Base.exit(precompile(Tuple{Int64}))",
    "precompile(Tuple{Val{:(exit(0))}})",
    "precompile(Tuple{Val{function f() end}})",
];

/// Escapes, raw `var"..."` names and parenthesized callees, where a second parser is most likely
/// to read the text differently from the first. Whichever of them the parser accepts must pass
/// the walker.
const TRICKY: &[&str] = &[
    r#"precompile(Tuple{Val{Symbol("a\$(b)")}})"#,
    r#"precompile(Tuple{Val{Symbol("a\\$(b)")}})"#,
    r#"precompile(Tuple{Val{Symbol("a\\\$(b)")}})"#,
    r#"precompile(Tuple{Val{Symbol("a\"$(b)")}})"#,
    r#"precompile(Tuple{Val{Symbol("a\$b")}})"#,
    r#"precompile(Tuple{Val{"a\$b"}})"#,
    r#"precompile(Tuple{Val{Symbol("yyyy\THH")}})"#,
    r#"precompile(Tuple{Val{Symbol("\u{24}(x)")}})"#,
    r#"precompile(Tuple{Val{Symbol("a\x24(b)")}})"#,
    r#"precompile(Tuple{var"a$(b)"})"#,
    r#"precompile(Tuple{var"a\"$(b)"})"#,
    r#"precompile(Tuple{var"a\\"})"#,
    r#"precompile(Tuple{Val{Main.var"a$(b)"}})"#,
    r#"precompile(Tuple{Val{'$'}})"#,
    r#"precompile(Tuple{Val{'\$'}})"#,
    r#"precompile(Tuple{Val{'"'}, Val{"'"}})"#,
    r#"precompile(Tuple{Val{:($x)}})"#,
    r#"precompile(Tuple{Val{(A.B)(0x01)}})"#,
    r#"precompile(Tuple{Val{(A){B}(0x01)}})"#,
    r#"precompile(Tuple{Val{(Base).Exit(0x01)}})"#,
    r#"precompile(Tuple{Val{(Base.exit)(0x01)}})"#,
    r#"precompile(Tuple{Val{(typeof(exit))(0x01)}})"#,
    r#"precompile(Tuple{Val{(A, B)}, Val{(Base).x}})"#,
    r#"precompile(Tuple{Val{Char(0x0_1)}, Val{Char(0X01)}})"#,
    r#"precompile(Tuple{Val{Base.:exit}, Val{Base.:(exit)}})"#,
    r#"precompile(Tuple{typeof(Base.:(exit(0)))})"#,
    r#"precompile(Tuple{Val{A'}})"#,
    r#"precompile(Tuple{Val{:a => 1}})"#,
    r#"precompile(Tuple{Val{"""a$(b)"""}})"#,
    r#"precompile(Tuple{T} where Char(0x41))"#,
    // Near the repaired shapes.
    r#"precompile(Tuple{Val{inf(0x01)}, Val{inf.exit}})"#,
    r#"precompile(Tuple{Val{#s1(exit(0))}})"#,
    r#"precompile(Tuple{Val{#s1 exit(0)}})"#,
    r#"precompile(Tuple{Val{:=exit(0)}})"#,
    r#"precompile(Tuple{Val{::exit}})"#,
    r#"precompile(Tuple{Val{1f(0)}})"#,
    r#"precompile(Tuple{Val{Base.:(var"exit")(0x01)}})"#,
    r#"precompile(Tuple{Val{:(var"a$(b)")}})"#,
    r#"precompile(Tuple{typeof(Base.:(var"=="))(0x01)})"#,
];

/// Fragments inserted into accepted lines by the mutation tests.
const FRAGMENTS: &[&str] = &[
    "run(`ls`)",
    "$(x)",
    "exit(0)",
    "Base.exit(0x01)",
    "x = 1",
    ";",
    "@time ",
    "() -> 1",
    "[i for i in 1:2]",
    "f(x...)",
    "f.(x)",
    "\"a$(b)\"",
    "begin 1 end",
    "Core.eval(Main, 1)",
    "getfield(Main, :x)()",
    "Char(0x41)(1)",
    "Tuple{A}(0x01)",
    "T(0x1, 0x2)",
    "ccall(:x, Cvoid, ())",
    "#s1(exit(0))",
    ":=exit(0)",
    "inf(0x01)",
    "Base.:(var\"exit\")(0x01)",
];

/// Positions in `line` where a token may start or end: every char boundary next to a byte that
/// is not part of an identifier or number.
fn token_boundaries(line: &str) -> Vec<usize> {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '!';
    let mut out = vec![0];
    let mut previous: Option<char> = None;
    for (at, c) in line.char_indices() {
        if let Some(p) = previous {
            if !(word(p) && word(c)) {
                out.push(at);
            }
        }
        previous = Some(c);
    }
    out.push(line.len());
    out
}

/// `line` with `fragment` inserted at `at`, plus, after `{`, `(` or `,`, the same fragment as a
/// whole parameter (`frag, `): the variant most likely to still be well-formed.
fn mutations(line: &str, at: usize, fragment: &str) -> Vec<String> {
    let mut out = vec![format!("{}{fragment}{}", &line[..at], &line[at..])];
    if line[..at].trim_end().ends_with(['{', '(', ',']) {
        out.push(format!("{}{fragment}, {}", &line[..at], &line[at..]));
    }
    out
}

/// Parses `mutated`; when the parser accepts it, the walker must pass. Returns whether accepted.
/// Binary `<:` calls (see [`check_statement`]) are tolerated here: corpus lines already contain
/// them, and they are checked on their own by the tests below.
fn check_mutation(origin: &str, mutated: &str) -> bool {
    let Ok(parsed) = parse_statement(mutated) else {
        return false;
    };
    let text = &parsed.statement.text;
    if let Err(why) = check_statement(text) {
        panic!("SECURITY: {origin}: the parser accepts the mutated line\n  {mutated}\nas the statement\n  {text}\nbut it can run code: {why}");
    }
    true
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn allowed_forms_are_accepted_and_pass_the_walker() {
    for statement in ALLOWED {
        let parsed = parse_statement(statement)
            .unwrap_or_else(|err| panic!("parser rejects the allowed `{statement}`: {err:?}"));
        assert_eq!(parsed.statement.text, *statement);
        if let Err(why) = check_strict(statement) {
            panic!("walker rejects the allowed `{statement}`: {why}");
        }
    }
}

#[test]
fn repaired_statements_pass_the_walker() {
    for line in REPAIRED {
        let parsed = parse_statement(line)
            .unwrap_or_else(|err| panic!("parser rejects the repairable `{line}`: {err:?}"));
        assert!(parsed.statement.flags.contains(Flags::REPAIRED), "{line}");
        let text = &parsed.statement.text;
        if let Err(why) = check_strict(text) {
            panic!("walker rejects `{text}`, the repair of `{line}`: {why}");
        }
        // The text as written does not pass: tree-sitter reads a comment, a juxtaposition, a
        // call of `-` on an unknown name, or an operator token of its own.
        assert!(check_statement(line).is_err(), "tree-sitter reads `{line}`");
    }
}

#[test]
fn multi_line_statements_pass_the_walker_and_dangerous_ones_are_not_statements() {
    for text in MULTI_LINE {
        let items = pipeline::classify(0, text.as_bytes());
        let [item] = &items[..] else {
            panic!("{text:?}: {items:?}");
        };
        let ItemKind::Statement(statement) = &item.kind else {
            panic!("{text:?}: {item:?}");
        };
        if let Err(why) = check_strict(&statement.text) {
            panic!(
                "walker rejects `{}`, joined from {text:?}: {why}",
                statement.text
            );
        }
        // The file as written is the same Julia: tree-sitter reads it without error too.
        if let Err(why) = check_strict(text.trim_end()) {
            panic!("walker rejects the file {text:?}: {why}");
        }
    }
    for text in MULTI_LINE_DANGEROUS {
        for item in pipeline::classify(0, text.as_bytes()) {
            if let ItemKind::Statement(statement) = &item.kind {
                if let Err(why) = check_statement(&statement.text) {
                    panic!(
                        "SECURITY: {text:?} gives the statement `{}`, which can run code: {why}",
                        statement.text
                    );
                }
            }
        }
    }
}

#[test]
fn dangerous_statements_fail_the_walker_and_the_parser() {
    for statement in DANGEROUS {
        assert!(
            check_statement(statement).is_err(),
            "the walker passes `{statement}`, which can run code"
        );
        if let Ok(parsed) = parse_statement(statement) {
            // Acceptable only if what the parser hands back is itself harmless (e.g. a
            // trailing `;` dropped): the walker decides.
            let text = &parsed.statement.text;
            assert!(
                check_strict(text).is_ok(),
                "SECURITY: the parser accepts `{statement}` as `{text}`"
            );
        }
    }
}

/// The mutation tests rely on the walker recognizing each fragment: as a parameter, every one
/// fails it except `Tuple{A}(0x01)`, which has the shape of a bits value.
#[test]
fn every_fragment_as_a_parameter_fails_the_walker() {
    for fragment in FRAGMENTS {
        let statement = format!("precompile(Tuple{{Int64, {fragment}}})");
        let verdict = check_strict(&statement);
        if *fragment == "Tuple{A}(0x01)" {
            assert_eq!(verdict, Ok(()), "{statement}");
        } else {
            assert!(verdict.is_err(), "the walker passes `{statement}`");
        }
    }
}

#[test]
fn tricky_statements_accepted_only_if_harmless() {
    let mut accepted = 0;
    for statement in TRICKY {
        if let Ok(parsed) = parse_statement(statement) {
            accepted += 1;
            let text = &parsed.statement.text;
            if let Err(why) = check_strict(text) {
                panic!("SECURITY: the parser accepts `{statement}` as `{text}`: {why}");
            }
        }
    }
    eprintln!("{accepted} of {} tricky statements accepted", TRICKY.len());
}

#[test]
fn binary_subtype_outside_where_is_reported_apart() {
    assert_eq!(
        check_statement("precompile(Tuple{Type{LessThan}, T<:Core.Real})"),
        Ok(vec!["T<:Core.Real".to_string()])
    );
    assert_eq!(
        check_statement("precompile(Tuple{Type{T} where Int64<:T<:Real})"),
        Ok(vec![])
    );
    for bad in [
        "precompile(Tuple{T<:exit(0)})",
        "precompile(Tuple{T + Real})",
        "precompile(Tuple{T == Real})",
        "precompile(Tuple{T<:Real})",
    ] {
        assert!(check_strict(bad).is_err(), "strict walker passes `{bad}`");
    }
    assert!(check_statement("precompile(Tuple{T<:exit(0)})").is_err());
}

/// Outside `where` (and outside the `<:T` shorthand in braces) Julia evaluates `A<:B`: a call of
/// the builtin `<:`. Old SnoopCompile files print such unbound, bounded type variables; the
/// parser reports them as unsupported (this test found that it once accepted them).
#[test]
fn parser_rejects_binary_subtype_outside_where() {
    for statement in [
        "precompile(Tuple{Type{LessThan}, T<:Core.Real})",
        "precompile(Tuple{Vector{T>:Int64}})",
        "precompile(Int64<:Real)",
        "precompile(f, (A<:B,))",
    ] {
        let error = parse_statement(statement).expect_err(statement);
        assert_eq!(
            error.kind,
            ProblemKind::Unsupported,
            "{statement}: {error:?}"
        );
    }
    // Bounds in `where` clauses and the shorthand in braces stay accepted.
    for statement in [
        "precompile(Tuple{Type{T}} where T<:Core.Real)",
        "precompile(Tuple{Vector{<:Real}})",
        "precompile(Tuple{Val{T}} where Int64<:T<:Real)",
    ] {
        assert!(parse_statement(statement).is_ok(), "{statement}");
    }
}

#[test]
fn every_accepted_corpus_statement_runs_no_code() {
    let Some(lines) = accepted_corpus_lines() else {
        return;
    };
    assert!(
        lines.len() > 10_000,
        "only {} accepted corpus lines: is the corpus complete?",
        lines.len()
    );
    let (mut failures, mut subtype_calls) = (Vec::new(), Vec::new());
    for (origin, line) in &lines {
        let parsed = parse_statement(line).expect("accepted above");
        match check_statement(&parsed.statement.text) {
            Ok(calls) if calls.is_empty() => {}
            Ok(calls) => subtype_calls.push(format!("{origin}: {calls:?}")),
            Err(why) => failures.push(format!("{origin}: {why}")),
        }
    }
    eprintln!(
        "checked {} accepted corpus statements with tree-sitter-julia; {} contain a binary \
         `<:`/`>:` outside `where` (a call of the builtin `<:`), e.g.:\n  {}",
        lines.len(),
        subtype_calls.len(),
        subtype_calls[..subtype_calls.len().min(5)].join("\n  ")
    );
    assert!(
        subtype_calls.is_empty(),
        "accepted corpus statements compare types outside `where`"
    );
    assert!(
        failures.is_empty(),
        "{} accepted corpus statements fail the walker:\n{}",
        failures.len(),
        failures[..failures.len().min(30)].join("\n")
    );
}

/// At most this many insertion positions per sampled line (spread over the line), so that the
/// 26 000-character lines do not dominate.
const MAX_POSITIONS: usize = 60;

#[test]
fn dangerous_fragments_inserted_into_corpus_statements() {
    let Some(lines) = accepted_corpus_lines() else {
        return;
    };
    let (mut tried, mut accepted) = (0usize, 0usize);
    for (origin, line) in lines.iter().step_by(50) {
        let boundaries = token_boundaries(line);
        let step = boundaries.len().div_ceil(MAX_POSITIONS).max(1);
        for &at in boundaries.iter().step_by(step) {
            for fragment in FRAGMENTS {
                for mutated in mutations(line, at, fragment) {
                    tried += 1;
                    accepted += usize::from(check_mutation(origin, &mutated));
                }
            }
        }
    }
    eprintln!("{tried} mutated corpus lines, {accepted} still accepted and checked");
    assert!(tried > 10_000, "only {tried} mutations tried");
}

fn proptest_bases() -> Vec<String> {
    let mut bases: Vec<String> = ALLOWED.iter().map(|s| s.to_string()).collect();
    if let Some(lines) = accepted_corpus_lines() {
        bases.extend(
            lines
                .into_iter()
                .step_by(97)
                .map(|(_, line)| line)
                .filter(|line| line.len() < 2_000),
        );
    }
    bases
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Random fragment (a dangerous one or an arbitrary short string) at a random char boundary
    /// of a random accepted statement: accepted only if harmless.
    #[test]
    fn random_insertions_never_sneak_code_in(
        base in any::<prop::sample::Index>(),
        position in any::<prop::sample::Index>(),
        fragment in prop_oneof![
            3 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
            1 => "[a-zA-Z0-9_(){}\\[\\],.:;=$@`\"'!&|+*<>^ -]{1,12}",
        ],
    ) {
        thread_local! {
            static BASES: Vec<String> = proptest_bases();
        }
        BASES.with(|bases| {
            let line = &bases[base.index(bases.len())];
            let boundaries: Vec<usize> = (0..=line.len()).filter(|&i| line.is_char_boundary(i)).collect();
            let at = boundaries[position.index(boundaries.len())];
            for mutated in mutations(line, at, &fragment) {
                check_mutation("proptest", &mutated);
            }
        });
    }
}
