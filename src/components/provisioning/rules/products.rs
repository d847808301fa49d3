//! Products that do not match their description: the blueprint names a
//! provider product and also describes it (a Storage Box's capacity, a
//! dedicated server's CPU, memory and disks), and the two disagree with the
//! catalog (`catalog/hetzner-prices.yaml`: `capacity`, `hardware`).
//!
//! | code | what | why this severity |
//! |---|---|---|
//! | E630 | a Storage Box `product` whose capacity is not the stated `capacity` | the capacity is what the backup retention relies on, and the product is what is billed: one of them is wrong either way (the Odoo plan's "BX31: 1 TB für €12,90"; a BX31 is the 10 TB box) |
//! | E631 | a dedicated server's cores or threads differ from its type, or its memory is below the type's | capacity checks (E401, E402) count what the blueprint states; a machine cannot have fewer parts than its type ships with, nor another CPU |
//! | W631 | memory above the type's | more RAM is an add-on the provider sells at its own monthly price, which the catalog price leaves out |
//! | E632 | disks smaller or fewer than the type ships with, or of another kind | RAID and partition checks (E501) use the disks written here (the plan's AX52 with 2 × 512 GB: an AX52 ships with 2 × 1 TB NVMe) |
//! | W632 | disks beyond the type's (more, or larger) | extra disks are add-ons with their own monthly price |
//!
//! Cloud hosts that state other vCPUs or RAM than their type are E604
//! (`capacity`). Sizes count as equal within 10 %, so a disk sold as 1 TB
//! (10^12 bytes) may be written as the 931G the system reports, and a box
//! sold as 1 TB as `1T`.

use crate::blueprint::model::{Blueprint, Disk, HostKind};
use crate::blueprint::units::Size;
use crate::diag::Finding;
use crate::prices::{self, Hardware, Kind};

const GIB: u64 = 1024 * 1024 * 1024;

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    storage_box(bp, out);
    for (i, host) in bp.hosts.iter().enumerate() {
        if host.kind != HostKind::Dedicated {
            continue;
        }
        let Some(entry) = prices::find(&host.server_type).filter(|e| e.kind == Kind::DedicatedServer) else {
            continue;
        };
        let Some(hw) = &entry.hardware else { continue };
        let at = format!("/hosts/{i}");
        let what =
            format!("an `{}` ({}; catalog{})", host.server_type, hw.cpu, if hw.verified { "" } else { ", unverified" });
        if let Some(cpu) = &host.cpu {
            let threads = cpu.threads.unwrap_or(cpu.cores);
            if cpu.cores != hw.cores || threads != hw.threads {
                let matching = dedicated(|h| h.cores == cpu.cores && h.threads == threads);
                out.push(
                    Finding::error(
                        "E631",
                        format!("{at}/cpu"),
                        format!(
                            "{what} has {} cores / {} threads, not the {} / {threads} written here; {}",
                            hw.cores,
                            hw.threads,
                            cpu.cores,
                            matching.map_or("no dedicated server in the catalog has those".into(), |m| format!(
                                "the catalog's server with {} / {threads} is `{m}`",
                                cpu.cores
                            ))
                        ),
                    )
                    .hint(format!(
                        "write `cpu: {{cores: {}, threads: {}}}`, or the type whose CPU this is",
                        hw.cores, hw.threads
                    )),
                );
            }
        }
        if let Some(memory) = host.memory.filter(|&m| !about_equal(m, hw.memory)) {
            let (code, tail) = if memory < hw.memory {
                ("E631", "a server has at least the RAM its type ships with; capacity checks would count too little")
            } else {
                ("W631", "the extra RAM is an add-on with its own monthly price, not in the catalog price")
            };
            let finding = |m: String| {
                if code == "E631" {
                    Finding::error(code, format!("{at}/memory"), m)
                } else {
                    Finding::warning(code, format!("{at}/memory"), m)
                }
            };
            out.push(
                finding(format!("{what} has {} RAM, not the {memory} written here: {tail}", hw.memory))
                    .hint(format!("write `memory: {}`, or quote the memory upgrade in `price:`", hw.memory))
                    .at_value(),
            );
        }
        if let Some(storage) = host.storage.as_ref().filter(|s| !s.disks.is_empty()) {
            disks(&at, &what, hw, &storage.disks, out);
        }
    }
}

/// E630: the Storage Box product against the stated capacity.
fn storage_box(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(o) = bp.backup.as_ref().and_then(|b| b.offsite.as_ref()) else { return };
    let (Some(product), Some(capacity)) = (o.product.as_deref(), o.capacity) else { return };
    let Some(entry) = prices::find(product).filter(|e| e.kind == Kind::StorageBox) else { return };
    let Some(holds) = entry.capacity.filter(|&c| !about_equal(c, capacity)) else { return };
    let boxes = || prices::catalog().entries.iter().filter(|e| e.kind == Kind::StorageBox);
    let matching = boxes().find(|e| e.capacity.is_some_and(|c| about_equal(c, capacity)));
    let fits = boxes().filter(|e| e.capacity.is_some_and(|c| c >= capacity)).min_by_key(|e| e.capacity);
    let instead = match (matching, fits) {
        (Some(m), _) => format!("the {capacity} box is `{}` ({} per month, catalog)", m.id, m.price),
        (None, Some(f)) => format!(
            "no box holds exactly {capacity}; the smallest that holds it is `{}` ({}, {} per month)",
            f.id,
            f.capacity.unwrap_or_default(),
            f.price
        ),
        (None, None) => format!("no Storage Box in the catalog holds {capacity}"),
    };
    out.push(
        Finding::error(
            "E630",
            "/backup/offsite/product",
            format!(
                "Storage Box `{product}` holds {holds} ({} per month, catalog), but `capacity` says {capacity}; {instead}",
                entry.price
            ),
        )
        .hint(format!(
            "name the product that holds the capacity the backups need{}, or write `capacity: {holds}` if the larger \
             box is meant; the price and the retention follow the product",
            matching.map_or(String::new(), |m| format!(" (`product: {}`)", m.id.to_uppercase()))
        ))
        .at_value(),
    );
}

/// E632/W632: the disks written against the type's.
fn disks(at: &str, what: &str, hw: &Hardware, written: &[Disk], out: &mut Vec<Finding>) {
    let same = written.len() == hw.disks.len()
        && hw
            .disks
            .iter()
            .all(|c| written.iter().any(|d| d.count == c.count && d.kind == c.kind && about_equal(d.size, c.size())));
    if same {
        return;
    }
    let total = |it: &mut dyn Iterator<Item = (u32, Size)>| it.map(|(n, s)| u64::from(n) * s.bytes()).sum::<u64>();
    let ships = total(&mut hw.disks.iter().map(|d| (d.count, d.size())));
    let stated = total(&mut written.iter().map(|d| (d.count, d.size)));
    let smallest_ships = hw.disks.iter().map(|d| d.size().bytes()).min().unwrap_or(0);
    let kinds_ok = written.iter().all(|d| hw.disks.iter().any(|c| c.kind == d.kind));
    // Fewer bytes, a smaller disk or another kind: not what the type is.
    let less = stated < ships || written.iter().any(|d| d.size.bytes() * 11 < smallest_ships * 10) || !kinds_ok;
    let ships_text =
        hw.disks.iter().map(|d| format!("{d} ({} × {}G)", d.count, d.size().bytes() / GIB)).collect::<Vec<_>>();
    let kind = |k: crate::blueprint::model::DiskKind| format!("{k:?}").to_lowercase();
    let stated_text = written.iter().map(|d| format!("{} × {} {}", d.count, d.size, kind(d.kind))).collect::<Vec<_>>();
    let message = format!(
        "{what} ships with {}, {} GiB in all; the blueprint writes {}, {} GiB",
        ships_text.join(" + "),
        ships / GIB,
        stated_text.join(" + "),
        stated / GIB
    );
    let hint = format!(
        "write `disks: [{}]`, what the type has{}",
        hw.disks
            .iter()
            .map(|d| format!("{{count: {}, size: {}G, kind: {}}}", d.count, d.size().bytes() / GIB, kind(d.kind)))
            .collect::<Vec<_>>()
            .join(", "),
        if less {
            "; RAID and partition checks use the disks written here"
        } else {
            ", or quote the extra disks in `price:`"
        }
    );
    let finding = if less {
        Finding::error("E632", format!("{at}/storage/disks"), format!("{message}: fewer or smaller than the type's"))
    } else {
        Finding::warning(
            "W632",
            format!("{at}/storage/disks"),
            format!("{message}: the extra disks are add-ons with their own monthly price, not in the catalog price"),
        )
    };
    out.push(finding.hint(hint));
}

/// The first dedicated server in the catalog whose parts pass `f`.
fn dedicated(f: impl Fn(&Hardware) -> bool) -> Option<&'static str> {
    prices::catalog()
        .entries
        .iter()
        .filter(|e| e.kind == Kind::DedicatedServer)
        .find(|e| e.hardware.as_ref().is_some_and(&f))
        .map(|e| e.id.as_str())
}

/// Within 10 % of each other: a size sold in decimal units and written in
/// binary ones (1 TB = 931 GiB), or the other way round, still matches.
fn about_equal(a: Size, b: Size) -> bool {
    let (lo, hi) = if a <= b { (a.bytes(), b.bytes()) } else { (b.bytes(), a.bytes()) };
    u128::from(hi) * 10 <= u128::from(lo) * 11
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_sold_in_decimal_units_match_their_binary_form() {
        assert!(about_equal(Size(1_000_000_000_000), Size::gib(931)));
        assert!(about_equal(Size(1_000_000_000_000), Size::gib(1024)));
        assert!(!about_equal(Size(1_000_000_000_000), Size::gib(512)));
        assert!(!about_equal(Size::gib(1024), Size::gib(10 * 1024)));
    }

    /// More disks than the type ships with are add-ons (W632), not an error.
    #[test]
    fn extra_disks_are_add_ons() {
        let text = include_str!("../../../../tests/fixtures/invalid/base/minimal.yaml")
            .replace("{count: 2, size: 931G, kind: nvme}", "{count: 4, size: 931G, kind: nvme}");
        let bp: Blueprint = serde_yaml::from_str(&text).expect("the base parses");
        let mut out = Vec::new();
        check(&bp, &mut out);
        assert_eq!(out.iter().map(|f| f.code).collect::<Vec<_>>(), ["W632"]);
        // The base itself matches its AX52.
        let bp: Blueprint =
            serde_yaml::from_str(include_str!("../../../../tests/fixtures/invalid/base/minimal.yaml")).expect("parses");
        let mut out = Vec::new();
        check(&bp, &mut out);
        assert!(out.is_empty());
    }
}
