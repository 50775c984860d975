//! Where the first chunk's bytes go: the main wasm module of a release build (what a first visit
//! downloads), read after wasm-bindgen and before wasm-opt drops its name section. Each function
//! body is counted under the crate its name starts with, as twiggy would; a generic of the
//! framework instantiated for mailsetup's own types (a component's view) counts under the
//! framework, and its share "for mailsetup's types" says how much of it is really ours. Data
//! segments (text, tables) count apart.
//!
//! Owns: reading the module and writing `target/xtask/first-chunk/<build>.json` for the bench.
//! Must not: change the module, or fail a build over a module it cannot read (it says so).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::{Value, json};
use wasmparser::{KnownCustom, Name, Parser, Payload};

use crate::project::Project;
use crate::run::{Failure, Outcome};

/// How many of the largest functions the record keeps.
const LARGEST: usize = 12;

/// The breakdown of one module.
#[derive(Debug, Default, PartialEq)]
pub struct Breakdown {
    /// Bytes of function bodies and data segments, before wasm-opt.
    pub total: u64,
    /// Crate (or `(data)`), bytes, bytes of it instantiated for mailsetup's types.
    pub crates: Vec<(String, u64, u64)>,
    /// The largest function bodies: name, bytes.
    pub largest: Vec<(String, u64)>,
    /// The component's parts (`ui::domain_table`, `connect::form`, see [`component_part`]) and
    /// the bytes of the functions that name them, largest first: what each view pulls in.
    pub parts: Vec<(String, u64)>,
}

/// Records the breakdown of `module` for the build written to `out` (`dist/`, `pkg/`, ...).
pub fn record(project: &Project, module: &Path, out: &Path) -> Outcome {
    let bytes = fs::read(module)
        .map_err(|e| Failure(format!("could not read {}: {e}", module.display())))?;
    let build = out
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("build");
    let dir = project.xtask_output_dir().join("first-chunk");
    fs::create_dir_all(&dir)
        .map_err(|e| Failure(format!("could not create {}: {e}", dir.display())))?;
    let record = match breakdown(&bytes) {
        Ok(found) => to_json(&found),
        Err(error) => json!({ "error": error }),
    };
    let path = dir.join(format!("{build}.json"));
    fs::write(&path, record.to_string())
        .map_err(|e| Failure(format!("could not write {}: {e}", path.display())))
}

pub fn to_json(found: &Breakdown) -> Value {
    json!({
        "total": found.total,
        "crates": found.crates.iter().map(|(name, bytes, ours)| json!({"crate": name, "bytes": bytes, "for_mailsetup": ours})).collect::<Vec<_>>(),
        "largest": found.largest.iter().map(|(name, bytes)| json!({"function": name, "bytes": bytes})).collect::<Vec<_>>(),
        "parts": found.parts.iter().map(|(part, bytes)| json!({"part": part, "bytes": bytes})).collect::<Vec<_>>(),
    })
}

/// Reads a module's function bodies, their names and its data segments.
pub fn breakdown(module: &[u8]) -> Result<Breakdown, String> {
    let mut imported_functions = 0u32;
    let mut bodies: Vec<u64> = Vec::new();
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    let mut data = 0u64;
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(
                        import.map_err(|e| e.to_string())?.ty,
                        wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_)
                    ) {
                        imported_functions += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let range = body.range();
                bodies.push(range.end - range.start)
            }
            Payload::DataSection(reader) => {
                for segment in reader {
                    data += segment.map_err(|e| e.to_string())?.data.len() as u64;
                }
            }
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    for subsection in reader {
                        if let Ok(Name::Function(map)) = subsection {
                            for naming in map.into_iter().flatten() {
                                names.insert(naming.index, naming.name.to_owned());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut crates: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut parts: BTreeMap<String, u64> = BTreeMap::new();
    let mut functions = Vec::with_capacity(bodies.len());
    for (position, size) in bodies.iter().enumerate() {
        let index = imported_functions + position as u32;
        let name = names
            .get(&index)
            .map(|name| tidy(name))
            .unwrap_or_else(|| format!("function {index}"));
        let entry = crates.entry(crate_of(&name)).or_default();
        entry.0 += size;
        if name.contains("mailsetup") {
            entry.1 += size;
        }
        if let Some(part) = component_part(&name) {
            *parts.entry(part).or_default() += size;
        }
        functions.push((name, *size));
    }
    crates.insert("(data: text and tables)".into(), (data, 0));
    let total = bodies.iter().sum::<u64>() + data;
    let mut crates: Vec<(String, u64, u64)> = crates
        .into_iter()
        .map(|(name, (bytes, ours))| (name, bytes, ours))
        .collect();
    crates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    functions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    functions.truncate(LARGEST);
    let mut parts: Vec<(String, u64)> = parts.into_iter().collect();
    parts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Breakdown {
        total,
        crates,
        largest: functions,
        parts,
    })
}

/// A demangled name without the crates' disambiguators (`leptos[60fc53c564612b32]`) and the
/// symbol's hash (`::h0123456789abcdef`).
fn tidy(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let close = rest[open..].find(']').map(|at| open + at);
        match close {
            Some(close)
                // A crate's disambiguator: 16 hex digits, 15 when it starts with a zero.
                if (open + 16..=open + 17).contains(&close)
                    && rest[open + 1..close].chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                out.push_str(&rest[..open]);
                rest = &rest[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    match out.rfind("::h") {
        Some(at)
            if out[at + 3..].len() >= 15
                && out[at + 3..].chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            out.truncate(at);
            out
        }
        _ => out,
    }
}

/// The part of the component (the `mailsetup` crate, not `mailsetup_core`) a function belongs
/// to: the modules after the first `mailsetup::` in its name, at most two (`ui::domain_table`,
/// `connect::form`, `state`; `(root)` for the crate's own items such as `main` and the
/// `<mail-setup>` component). A framework generic instantiated for a part's types counts under
/// that part, since the part is why it is there. `None` for a function that names no part.
fn component_part(name: &str) -> Option<String> {
    const CRATE: &str = "mailsetup::";
    let mut search = 0;
    let start = loop {
        let at = search + name[search..].find(CRATE)?;
        let before = name[..at].chars().next_back();
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            break at + CRATE.len();
        }
        search = at + CRATE.len();
    };
    let mut modules: Vec<&str> = Vec::new();
    let mut rest = &name[start..];
    while modules.len() < 2 {
        let Some(end) = rest.find("::") else { break };
        let segment = &rest[..end];
        // A function's name is followed by its closures and shims (`start::{closure#0}`).
        let is_module = !segment.is_empty()
            && !segment.starts_with("__")
            && !rest[end + 2..].starts_with('{')
            && segment
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !is_module {
            break;
        }
        modules.push(segment);
        rest = &rest[end + 2..];
    }
    Some(if modules.is_empty() {
        "(root)".to_owned()
    } else {
        modules.join("::")
    })
}

/// The crate a function's name starts with: the first path segment followed by `::`.
fn crate_of(name: &str) -> String {
    let mut start = name
        .trim_start_matches(['<', '&', ' '])
        .trim_start_matches("mut ")
        .trim_start_matches("dyn ");
    // `<_ as tachys::view::Render>::build`, `<(A, B) as ...>`: the trait's crate.
    if (start.starts_with("_ as ") || start.starts_with('('))
        && let Some(at) = start.find(" as ")
    {
        start = &start[at + 4..];
    }
    match start.find("::") {
        Some(at)
            if start[..at]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && at > 0 =>
        {
            start[..at].to_owned()
        }
        _ => "(other)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_hashes_and_count_under_their_first_crate() {
        let name = "reactive_graph[55e2ef502430d44a]::graph::untrack::<leptos[60fc53c564612b32]::View<mailsetup[e3178b18a16647a0]::Panel>>::h0123456789abcdef";
        let tidied = tidy(name);
        assert_eq!(
            tidied,
            "reactive_graph::graph::untrack::<leptos::View<mailsetup::Panel>>"
        );
        assert_eq!(crate_of(&tidied), "reactive_graph");
        assert_eq!(
            crate_of("<&mut serde_json::de::Deserializer as x>::f"),
            "serde_json"
        );
        assert_eq!(crate_of("main"), "(other)");
        assert_eq!(crate_of("<_ as tachys::view::Render>::build"), "tachys");
        assert_eq!(tidy("a[x]::c"), "a[x]::c");
        assert_eq!(tidy("mailsetup[ec31b79b88d5d0f]::main"), "mailsetup::main");
    }

    #[test]
    fn a_function_counts_under_the_part_of_the_component_it_names() {
        let part = |name: &str| component_part(name);
        assert_eq!(
            part("<mailsetup::ui::domain_table::__component_domain_table::{closure#0} as tachys::view::Render>::build").as_deref(),
            Some("ui::domain_table")
        );
        assert_eq!(
            part("reactive_graph::graph::untrack::<leptos::View, mailsetup::ui::allowlist::AllowlistSection::{closure#0}>").as_deref(),
            Some("ui::allowlist")
        );
        assert_eq!(
            part("<&mailsetup::ui::field::TextField as core::ops::FnOnce>::call_once").as_deref(),
            Some("ui::field")
        );
        assert_eq!(
            part("<mailsetup::state::Settings>::change").as_deref(),
            Some("state")
        );
        assert_eq!(
            part("mailsetup::connect::form::step::<T>").as_deref(),
            Some("connect::form")
        );
        assert_eq!(part("mailsetup::main").as_deref(), Some("(root)"));
        assert_eq!(
            part("mailsetup::demo_shell::start::{closure#0}").as_deref(),
            Some("demo_shell")
        );
        assert_eq!(
            part("mailsetup::read_whole_after_paint::{closure#2}").as_deref(),
            Some("(root)")
        );
        assert_eq!(
            part("<mailsetup::__component_mail_setup::{closure#1} as x::F>::invoke").as_deref(),
            Some("(root)")
        );
        assert_eq!(part("mailsetup_core::document::read_entries"), None);
        assert_eq!(part("serde_json::de::from_str::<notmailsetup::X>"), None);
        assert_eq!(part("alloc::vec::Vec<mailsetup_core::Entry>::push"), None);
    }

    #[test]
    fn a_module_is_read_into_crates_and_its_largest_functions() {
        // (module (func $alpha::one ...) (func $beta::two ...) (data ...)) written by hand.
        let module = wat_module();
        let found = breakdown(&module).unwrap();
        let crates: Vec<&str> = found
            .crates
            .iter()
            .map(|(name, _, _)| name.as_str())
            .collect();
        assert!(
            crates.contains(&"alpha") && crates.contains(&"beta"),
            "{crates:?}"
        );
        assert_eq!(found.largest.len(), 2);
        assert!(found.total > 0);
        assert!(breakdown(b"not wasm").is_err());
    }

    /// A module with two named functions and a data segment, as bytes.
    fn wat_module() -> Vec<u8> {
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        let section = |id: u8, body: &[u8], module: &mut Vec<u8>| {
            module.push(id);
            module.push(body.len() as u8);
            module.extend_from_slice(body);
        };
        section(1, &[1, 0x60, 0, 0], &mut module); // one type: () -> ()
        section(3, &[2, 0, 0], &mut module); // two functions of it
        section(5, &[1, 0, 1], &mut module); // one memory
        // Bodies: no locals, `end`; the second a few `nop`s longer.
        section(10, &[2, 2, 0, 0x0b, 5, 0, 1, 1, 1, 0x0b], &mut module);
        section(11, &[1, 0, 0x41, 0, 0x0b, 3, b'a', b'b', b'c'], &mut module); // data "abc"
        let mut names = vec![4]; // "name"
        names.extend_from_slice(b"name");
        let functions: Vec<u8> =
            [&[2u8][..], &[0, 10], b"alpha::one", &[1, 9], b"beta::two"].concat();
        names.push(1);
        names.push(functions.len() as u8);
        names.extend_from_slice(&functions);
        section(0, &names, &mut module);
        module
    }
}
