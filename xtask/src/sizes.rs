//! The size report of dist/: raw and gzip -9 bytes per file, and the budget CI enforces.
//!
//! Owns measuring and printing sizes; building dist/ is someone else's job.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::release::ON_DEMAND_MARK;
use crate::run::{Failure, Outcome};

/// What a first visit should download at most (gzip): the product's target (issue #5).
pub const FIRST_VISIT_GZIP_TARGET: u64 = 200 * 1024;

/// CI fails above this (gzip): the target itself, since the first visit came under it. (While
/// the panel was over the target, this stood just above the measured size, as a guard against
/// growing further.) A budget, not a timing.
/// History: 320 KB for the panel alone (307 KB); the "Connect your inbox" flow adds about
/// 29 KB; dropping the url crate and ICU4X's data from the component (the browser maps
/// Unicode names) took about 67 KB off, so the panel with the flow measures 266 KB and the
/// ceiling came down to 280 KB. Reading the stored book without a value tree (half the memory
/// with 10,000 domains) added about 10 KB net: 276.4 KB, so the next feature must pay for itself.
/// Compiling std for size, with panics that abort without a message, and the JS glue minified:
/// 255.8 KB; one stylesheet instead of three: 254.9 KB. Errors held back during a pointer press
/// (a click on Connect was lost when a field's error pushed the button away): +1.2 KB, 256.05 KB.
/// The table's rows updated in place instead of keyed with `<For>`: 251.2 KB. The provider's
/// combined allowlist worked out ahead by core instead of aggregated at start: 245.0 KB,
/// ceiling 246 KB. The wasm split (release.rs): the drawer, the delete question, the connect
/// flow's steps 2 and 3 and the storage banners load on demand (63.9 KB gzip in chunks), the
/// first visit measures 210.4 KB, ceiling 211 KB. The split functions called directly instead
/// of through leptos's `lazy` (no boxed futures), with fetch failures reported: 206.9 KB,
/// ceiling 207 KB. The Polish text loads on demand, and the text of the parts that load on
/// demand left the tables the first screen uses: 199.2 KB, and the ceiling is the target. A
/// notice for a storage problem whose banners cannot be fetched: 199.5 KB; the Polish text
/// fetched through the same `PartCode` as every other part: 199.0 KB. Instances that show one
/// part (`View`), keep the book in memory, pre-fill the address and tell the host what was
/// saved: 200.4 KB (+1.4 KB); instances with one storage prefix on one page follow each
/// other's saves: 201.9 KB; focus found inside a `<mail-setup shadow>` root (dialogs gave it
/// back to nothing): 202.3 KB, ceiling 203 KB; failed chunk fetches told to the host: 202.0 KB; the
/// allowlist shows a host's own named groups (headings, announcements and the checker name
/// them): 203.6 KB, ceiling 204 KB, 4.6 KB above the 199.0 KB before the embedding issue (its
/// budget is 5 KB). Merging a host's groups runs where the groups are read (the JavaScript
/// API), so this page, which only shows the provider's lists, does not carry it. (The
/// JavaScript API itself, the `js-api` feature, measured 9.5 KB more and stays out of this
/// page's build until the page uses it.) Carryover of drafts through `update()` and theming in
/// shadow mode: 203.8 KB. Changes saved as core's `Change` values, applied by one
/// `SettingsBook::apply` with revisions from one sequence over the book (the REST issue's
/// shared vocabulary): 205.9 KB (+2.1 KB), ceiling 206 KB. REST mode (the component on the
/// settings server): the client and the work of keeping the state in step with the server are a
/// chunk of their own (`rest_client_code`, 11.5 KB gzip, never fetched on browser storage); the
/// asynchronous save, the refresh on focus, visibility and after writes, the server's health in
/// the banners and the fetch bindings in the JavaScript glue (+0.5 KB) stay in the first
/// download: 210.3 KB (+4.4 KB; 212.5 KB before the server half of the state moved into the
/// chunk), ceiling 211 KB. The username form, the self-service page's published settings
/// (`storage: { type: 'url' }`) and "Export" (the files themselves are made in a chunk of
/// their own, `export_code`, 18.7 KB gzip with the CSV writer): 212.1 KB (+1.6 KB, not yet
/// traced; the performance issue starts there), ceiling 213 KB. "Import" with its preview (the
/// readers and the preview in a chunk of their own, `import_code`, 41.2 KB gzip): 216.6 KB; the
/// main wasm grew 12.8 KB raw, 4.3 KB gzip, for a button and the file reading, which is far more
/// than they are: not traced yet (twiggy shows it spread over the panel's view code), the first
/// thing for the performance issue to look at. Ceiling 217 KB. Import on a server and the
/// settings file's own reader: 217.0 KB. The performance issue (#21): the standard library's
/// `optimize_for_size` variants (-3.7 KB), the drawer's code fetched ahead when the browser is
/// idle after the first render (+1.1 KB for the idle callback and the prefetch state):
/// 214.2 KB. A big stored book's first page read before the rest of it, which halves the time
/// to its first rows (+3.4 KB: the reader's first-page mode, the start-up read, the listeners
/// that read the rest before anything a person does): 217.6 KB. The table's rows each follow a
/// memo of their own, so a save redraws the one row that changed instead of 50 (+1.9 KB for the
/// memo and the per-row closure; a save 53.5 -> 45 ms in the harness), the two buttons of a row
/// drawn by one function (+0.4 KB), and the table's frame, which shows cards where the table has
/// less than 56rem (+0.1 KB): 220.0 KB. The Connect flow on the settings server's check (its
/// client in the REST chunk, its sentences in the settings step's chunk and the Polish one; the
/// demo tester no longer built for every instance): 219.8 KB. The drawer's "Check servers"
/// and the panel's mends (the deletion on its way, a save sent again after a renewed sign-in):
/// 220.5 KB. Certificate trust in the model (#32): the stored book is read and written with each
/// entry's `certificate_trust` (document version 3, the pins' parser, the trust's problem
/// codes), which the first screen needs to show the book: 225.0 KB (+4.5 KB, not yet traced
/// function by function; the issue about downloading only what the screen needs starts
/// there). Continue waits for a book still on its way from a server or a published file (a
/// quick person was told that nobody set their domain up): 226.9 KB (+1.9 KB for an effect
/// and a check of the storage's health, far more than they are; without the effect 226.6 KB,
/// so most of it is where the wasm split put shared code, not traced), ceiling 228 KB. Undo
/// (#35): the history's differences and restore, "Recently deleted" and the list browser
/// storage keeps are chunks of their own (`settings_dialog_code`, `recently_deleted_code`
/// 6.6 KB, `removals_code` 2.0 KB); what stays is the toolbar's button and its fetch (+1.6 KB
/// raw, twiggy diff against the tree before), the restore in core's `apply` (+0.6 KB raw) and
/// the change awaiting the kept list (+1.6 KB raw): 229.0 KB, ceiling 230 KB. A self-service
/// page reading a published file fetches a reader of its own (`published_client_code`, 1.3 KB
/// gzip) instead of the server's client (`rest_client_code`, 24.2 KB then, 21.2 KB now); the
/// second split point costs the first visit 0.3 KB: 229.3 KB. The
/// issue asks for the new
/// figure plus 5 KB once the 120 KB target is met; until then the ceiling follows the figure,
/// so nothing creeps in unnoticed, less than 2 KB above it (a clone at a longer path builds a
/// few hundred bytes bigger: source paths are in the panic locations).
pub const FIRST_VISIT_GZIP_CEILING: u64 = 230 * 1024;

pub struct FileSize {
    pub path: String,
    pub raw: u64,
    pub gzip: u64,
}

impl FileSize {
    /// A wasm chunk fetched when the part of the component it holds is first shown
    /// (`release.rs` marks their names); a first visit does not download it.
    pub fn on_demand(&self) -> bool {
        self.path.contains(ON_DEMAND_MARK)
    }
}

pub struct SizeReport {
    pub files: Vec<FileSize>,
}

impl SizeReport {
    fn first_visit(&self) -> impl Iterator<Item = &FileSize> {
        self.files.iter().filter(|file| !file.on_demand())
    }

    fn on_demand(&self) -> impl Iterator<Item = &FileSize> {
        self.files.iter().filter(|file| file.on_demand())
    }

    /// Everything a first visit downloads, gzip -9.
    pub fn first_visit_gzip(&self) -> u64 {
        self.first_visit().map(|f| f.gzip).sum()
    }

    pub fn print(&self) {
        let row = |name: &str, raw: u64, gzip: u64| println!("{name:<56} {raw:>12} {gzip:>12}");
        println!("{:<56} {:>12} {:>12}", "dist/ file", "raw bytes", "gzip -9");
        for file in self.first_visit() {
            row(&file.path, file.raw, file.gzip);
        }
        row(
            "total a first visit downloads",
            self.first_visit().map(|f| f.raw).sum(),
            self.first_visit_gzip(),
        );
        println!("loaded on demand, when the part it holds is first shown:");
        for file in self.on_demand() {
            row(&file.path, file.raw, file.gzip);
        }
        row(
            "total on demand",
            self.on_demand().map(|f| f.raw).sum(),
            self.on_demand().map(|f| f.gzip).sum(),
        );
    }

    /// Fails when the first-visit gzip transfer exceeds the ceiling; says where it stands
    /// against the target either way.
    pub fn check_budget(&self) -> Outcome<String> {
        let total = self.first_visit_gzip();
        let against_target = if total > FIRST_VISIT_GZIP_TARGET {
            format!(
                "{:.1} KB over the {:.0} KB target",
                kb(total - FIRST_VISIT_GZIP_TARGET),
                kb(FIRST_VISIT_GZIP_TARGET)
            )
        } else {
            format!("within the {:.0} KB target", kb(FIRST_VISIT_GZIP_TARGET))
        };
        let verdict = format!(
            "first visit {:.1} KB gzip, {against_target}; CI ceiling {:.0} KB",
            kb(total),
            kb(FIRST_VISIT_GZIP_CEILING)
        );
        if total > FIRST_VISIT_GZIP_CEILING {
            Err(Failure(format!("over the ceiling: {verdict}")))
        } else {
            Ok(verdict)
        }
    }
}

/// What the `<mail-setup>` module (the package's `element.js`) may weigh, gzip -9.
pub const ELEMENT_MODULE_GZIP_BUDGET: u64 = 3 * 1024;

/// The npm package's files with their sizes.
pub fn print_package(report: &SizeReport) {
    println!(
        "\n{:<56} {:>12} {:>12}",
        "pkg/ file (npm package)", "raw bytes", "gzip -9"
    );
    for file in &report.files {
        println!("{:<56} {:>12} {:>12}", file.path, file.raw, file.gzip);
    }
}

/// Fails when the package's element module is over its budget.
pub fn check_element_budget(package: &SizeReport) -> Outcome<String> {
    let element = package
        .files
        .iter()
        .find(|file| file.path == "element.js")
        .ok_or_else(|| Failure("the package has no element.js".into()))?;
    let verdict = format!(
        "element module {:.1} KB gzip (budget {:.0} KB)",
        kb(element.gzip),
        kb(ELEMENT_MODULE_GZIP_BUDGET)
    );
    if element.gzip > ELEMENT_MODULE_GZIP_BUDGET {
        Err(Failure(format!("over budget: {verdict}")))
    } else {
        Ok(verdict)
    }
}

pub fn measure(dist: &Path) -> Outcome<SizeReport> {
    let mut paths = Vec::new();
    collect_files(dist, &mut paths)?;
    paths.sort();
    if paths.is_empty() {
        return Err(Failure(format!(
            "{} is empty; run `cargo xtask dist` first",
            dist.display()
        )));
    }
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = fs::read(&path)
            .map_err(|e| Failure(format!("could not read {}: {e}", path.display())))?;
        let relative = path.strip_prefix(dist).unwrap_or(&path);
        files.push(FileSize {
            path: relative.to_string_lossy().into_owned(),
            raw: bytes.len() as u64,
            gzip: gzip_size(&bytes),
        });
    }
    Ok(SizeReport { files })
}

fn collect_files(dir: &Path, into: &mut Vec<PathBuf>) -> Outcome {
    let entries =
        fs::read_dir(dir).map_err(|e| Failure(format!("could not read {}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, into)?;
        } else {
            into.push(path);
        }
    }
    Ok(())
}

/// Bytes in KB (KiB), for the reports.
fn kb(bytes: u64) -> f64 {
    bytes as f64 / 1024.0
}

pub fn gzip_size(bytes: &[u8]) -> u64 {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().map(|v| v.len() as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repetitive_data_compresses() {
        let data = vec![b'a'; 10_000];
        let size = gzip_size(&data);
        assert!(size > 0 && size < 100, "gzip of 10,000 'a' was {size}");
    }

    #[test]
    fn budget_is_enforced() {
        let under = SizeReport {
            files: vec![FileSize {
                path: "a.wasm".into(),
                raw: 1,
                gzip: FIRST_VISIT_GZIP_CEILING,
            }],
        };
        assert!(under.check_budget().is_ok());
        let over = SizeReport {
            files: vec![
                FileSize {
                    path: "a.wasm".into(),
                    raw: 1,
                    gzip: FIRST_VISIT_GZIP_CEILING,
                },
                FileSize {
                    path: "b.js".into(),
                    raw: 1,
                    gzip: 1,
                },
            ],
        };
        assert!(over.check_budget().is_err());
    }

    #[test]
    fn chunks_loaded_on_demand_are_not_part_of_the_first_visit() {
        let file = |path: &str, gzip: u64| FileSize {
            path: path.into(),
            raw: gzip,
            gzip,
        };
        let report = SizeReport {
            files: vec![
                file("app-1_bg.wasm", FIRST_VISIT_GZIP_CEILING),
                file(&format!("app-1{ON_DEMAND_MARK}dialog.wasm"), 50_000),
            ],
        };
        assert_eq!(report.first_visit_gzip(), FIRST_VISIT_GZIP_CEILING);
        assert!(report.check_budget().is_ok());
    }

    #[test]
    fn the_element_module_is_held_to_its_budget() {
        let package = |gzip: u64| SizeReport {
            files: vec![FileSize {
                path: "element.js".into(),
                raw: gzip,
                gzip,
            }],
        };
        assert!(check_element_budget(&package(ELEMENT_MODULE_GZIP_BUDGET)).is_ok());
        assert!(check_element_budget(&package(ELEMENT_MODULE_GZIP_BUDGET + 1)).is_err());
        assert!(check_element_budget(&SizeReport { files: vec![] }).is_err());
    }
}
