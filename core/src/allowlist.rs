//! [`Allowlist`]: the provider's egress IP addresses (SMTP and IMAP) that a customer's IT adds
//! to its firewall, with copy-ready text and a "does this address belong to the provider" check.
//!
//! Owns: strict CIDR parsing ([`AllowlistEntry`]), the provider's seed lists, the groups a host
//! page gives instead ([`NamedGroup`], checked like any input), merging the groups into the
//! shortest equivalent list.
//! Must not: fetch lists from anywhere or know about the UI; it is data plus arithmetic.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;

use crate::problem::Problem;

/// The provider's SMTP egress addresses, in the order the help center lists them.
const PROVIDER_SMTP: [&str; 12] = [
    "141.193.184.0/27",
    "141.193.185.0/27",
    "143.244.82.12",
    "143.244.82.13",
    "143.244.82.14",
    "143.244.82.15",
    "143.244.87.0/25",
    "54.174.62.128/26",
    "54.174.62.192",
    "54.174.62.193",
    "54.174.62.194",
    "54.174.62.195",
];

/// The provider's IMAP egress addresses, in the order the help center lists them.
const PROVIDER_IMAP: [&str; 12] = [
    "141.193.184.0/27",
    "141.193.185.0/27",
    "143.244.82.10",
    "143.244.82.11",
    "143.244.82.8",
    "143.244.82.9",
    "143.244.87.0/25",
    "54.174.62.128/26",
    "54.174.62.196",
    "54.174.62.197",
    "54.174.62.198",
    "54.174.62.199",
];

/// The seed lists merged ([`Allowlist::combined`] of [`Allowlist::provider_default`]), worked
/// out ahead of time (a test holds it to the aggregation). The provider's lists carry this
/// instead of aggregating as the component starts, which keeps the aggregation and its sorts
/// (about 6 KB gzip) out of a page that only shows the provider's lists. Change it with the
/// seed lists; the test says to.
const PROVIDER_COMBINED: [&str; 6] = [
    "54.174.62.128/26",
    "54.174.62.192/29",
    "141.193.184.0/27",
    "141.193.185.0/27",
    "143.244.82.8/29",
    "143.244.87.0/25",
];

/// Which traffic a group of addresses carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowlistGroupKind {
    Smtp,
    Imap,
}

impl fmt::Display for AllowlistGroupKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Smtp => "SMTP",
            Self::Imap => "IMAP",
        })
    }
}

/// One network in strict form: the address has no host bits set beyond the prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct AllowlistEntry(IpNet);

/// Why some text is not an allowlist entry.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CidrError {
    #[error("Enter an IP address or network, such as 203.0.113.7 or 203.0.113.0/24.")]
    Empty,
    #[error("Enter a prefix length from 0 to {max} after the slash, such as 203.0.113.0/24.")]
    PrefixOutOfRange { max: u8 },
    #[error("This network has host bits set. Enter the network address {network} instead.")]
    HostBitsSet { network: String },
    #[error(
        "Enter an IP address or network, such as 203.0.113.7 or 203.0.113.0/24, with no leading zeros."
    )]
    Invalid,
}

impl Problem for CidrError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "cidr.empty",
            Self::PrefixOutOfRange { .. } => "cidr.prefix_out_of_range",
            Self::HostBitsSet { .. } => "cidr.host_bits_set",
            Self::Invalid => "cidr.invalid",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::PrefixOutOfRange { max } => vec![("max", max.to_string())],
            Self::HostBitsSet { network } => vec![("network", network.clone())],
            Self::Empty | Self::Invalid => Vec::new(),
        }
    }
}

impl AllowlistEntry {
    /// Parses `203.0.113.7`, `203.0.113.0/24` or IPv6 forms strictly: a bare address is one
    /// address (/32 or /128); no leading zeros in the address or prefix (ipnet's own parser
    /// accepts `010.0.0.0/8`, so only the address goes through std); no host bits.
    pub fn parse(input: &str) -> Result<AllowlistEntry, CidrError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(CidrError::Empty);
        }
        let (address_text, prefix_text) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address_text.parse().map_err(|_| CidrError::Invalid)?;
        let max = match address {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix = match prefix_text {
            None => max,
            Some(prefix) => parse_prefix(prefix, max)?,
        };
        let net = IpNet::new(address, prefix).map_err(|_| CidrError::PrefixOutOfRange { max })?;
        if net.trunc() != net {
            return Err(CidrError::HostBitsSet {
                network: net.trunc().to_string(),
            });
        }
        Ok(AllowlistEntry(net))
    }

    /// The network.
    pub fn net(&self) -> IpNet {
        self.0
    }

    /// The lowest address in the network.
    pub fn first(&self) -> IpAddr {
        self.0.network()
    }

    /// The highest address in the network.
    pub fn last(&self) -> IpAddr {
        self.0.broadcast()
    }

    /// How many addresses the network holds (2^128 for `::/0` does not fit, so it saturates).
    pub fn address_count(&self) -> u128 {
        let host_bits = u32::from(self.0.max_prefix_len() - self.0.prefix_len());
        1_u128.checked_shl(host_bits).unwrap_or(u128::MAX)
    }

    /// Whether the entry is one address (/32 or /128).
    pub fn is_single_address(&self) -> bool {
        self.0.prefix_len() == self.0.max_prefix_len()
    }

    /// Whether `address` is inside this network.
    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.contains(&address)
    }
}

/// A prefix length: ASCII digits without leading zeros (u8::from_str accepts "+8").
fn parse_prefix(text: &str, max: u8) -> Result<u8, CidrError> {
    let is_canonical_number = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !is_canonical_number {
        return Err(CidrError::Invalid);
    }
    match text.parse::<u8>() {
        Ok(prefix) if prefix <= max => Ok(prefix),
        _ => Err(CidrError::PrefixOutOfRange { max }),
    }
}

/// A single address bare (`143.244.82.12`), a network as CIDR (`141.193.184.0/27`).
fn write_net(net: IpNet, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if net.prefix_len() == net.max_prefix_len() {
        write!(f, "{}", net.addr())
    } else {
        write!(f, "{net}")
    }
}

/// Text form of a network as [`AllowlistEntry`] shows it.
fn net_text(net: IpNet) -> String {
    struct Shown(IpNet);
    impl fmt::Display for Shown {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_net(self.0, f)
        }
    }
    Shown(net).to_string()
}

impl fmt::Display for AllowlistEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_net(self.0, f)
    }
}

impl FromStr for AllowlistEntry {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        AllowlistEntry::parse(text)
    }
}

impl TryFrom<String> for AllowlistEntry {
    type Error = CidrError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        AllowlistEntry::parse(&text)
    }
}

impl Serialize for AllowlistEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The addresses for one kind of traffic, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AllowlistGroup {
    kind: AllowlistGroupKind,
    /// The host's name for the group; `None` for the provider's own lists, which the UI names
    /// in the person's language.
    name: Option<String>,
    entries: Vec<AllowlistEntry>,
}

impl AllowlistGroup {
    pub fn kind(&self) -> AllowlistGroupKind {
        self.kind
    }

    /// The name a host page gave the group (`None` for the provider's lists).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub fn entries(&self) -> &[AllowlistEntry] {
        &self.entries
    }

    /// One entry per line, in order, for the copy button.
    pub fn copy_text(&self) -> String {
        lines(self.entries.iter().map(ToString::to_string))
    }
}

/// A group as a host page gives it: a name for its heading, the traffic it carries, and its
/// address ranges as text (`203.0.113.7`, `203.0.113.0/24`, IPv6 alike).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedGroup {
    pub name: String,
    pub kind: AllowlistGroupKind,
    pub ranges: Vec<String>,
}

/// Why a host page's groups are not an allowlist: each names the group and, for a range, the
/// value as given.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AllowlistError {
    #[error(
        "The allowlist has no groups. Give at least one, or leave it out for the provider's lists."
    )]
    NoGroups,
    #[error("Allowlist group {position} has no name. Give each group the name its heading shows.")]
    UnnamedGroup { position: usize },
    #[error(
        "Allowlist group \"{group}\" has no address ranges. Give at least one, such as 203.0.113.0/24."
    )]
    EmptyGroup { group: String },
    #[error("Allowlist group \"{group}\": \"{value}\" is not an address range. {error}")]
    InvalidRange {
        group: String,
        value: String,
        error: CidrError,
    },
}

impl Problem for AllowlistError {
    fn code(&self) -> &'static str {
        match self {
            Self::NoGroups => "allowlist.no_groups",
            Self::UnnamedGroup { .. } => "allowlist.unnamed_group",
            Self::EmptyGroup { .. } => "allowlist.empty_group",
            Self::InvalidRange { error, .. } => error.code(),
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::NoGroups => Vec::new(),
            Self::UnnamedGroup { position } => vec![("position", position.to_string())],
            Self::EmptyGroup { group } => vec![("group", group.clone())],
            Self::InvalidRange {
                group,
                value,
                error,
            } => {
                let mut params = vec![("group", group.clone()), ("value", value.clone())];
                params.extend(error.params());
                params
            }
        }
    }
}

/// An address matched by [`Allowlist::contains`]: the group (its place in
/// [`Allowlist::groups`] and its kind) and the entry that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AllowlistMatch {
    pub group: usize,
    pub kind: AllowlistGroupKind,
    pub entry: AllowlistEntry,
}

/// Why some text is not an IP address to check.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IpAddressError {
    #[error("Enter an IP address such as 203.0.113.7.")]
    Empty,
    #[error("Enter an IP address such as 203.0.113.7.")]
    Invalid,
}

impl Problem for IpAddressError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "ip_address.empty",
            Self::Invalid => "ip_address.invalid",
        }
    }
}

/// The provider's egress addresses (SMTP group first), or the groups a host page gives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Allowlist {
    groups: Vec<AllowlistGroup>,
    /// Every group merged, one network per line: worked out when the groups are made.
    combined: Vec<String>,
}

impl Default for Allowlist {
    fn default() -> Self {
        Allowlist::provider_default()
    }
}

impl Allowlist {
    /// The provider's published lists.
    pub fn provider_default() -> Allowlist {
        // The seed lists are constants covered by a test, so parsing only fails if someone
        // breaks them; leaving the broken entry out is the least surprising result then, and the
        // test catches it.
        let group = |kind, texts: &[&str]| AllowlistGroup {
            kind,
            name: None,
            entries: texts
                .iter()
                .filter_map(|text| AllowlistEntry::parse(text).ok())
                .collect(),
        };
        Allowlist {
            groups: vec![
                group(AllowlistGroupKind::Smtp, &PROVIDER_SMTP),
                group(AllowlistGroupKind::Imap, &PROVIDER_IMAP),
            ],
            combined: PROVIDER_COMBINED
                .iter()
                .map(|line| (*line).to_owned())
                .collect(),
        }
    }

    /// The groups a host page gives instead of the provider's, in its order. Names are trimmed
    /// and must not be empty; every range must parse ([`AllowlistEntry::parse`]); a group needs
    /// at least one range and the list at least one group. The first problem is returned.
    pub fn from_named(groups: &[NamedGroup]) -> Result<Allowlist, AllowlistError> {
        if groups.is_empty() {
            return Err(AllowlistError::NoGroups);
        }
        let groups = groups
            .iter()
            .enumerate()
            .map(|(index, group)| {
                let name = group.name.trim();
                if name.is_empty() {
                    return Err(AllowlistError::UnnamedGroup {
                        position: index + 1,
                    });
                }
                if group.ranges.is_empty() {
                    return Err(AllowlistError::EmptyGroup { group: name.into() });
                }
                let entries = group
                    .ranges
                    .iter()
                    .map(|value| {
                        AllowlistEntry::parse(value).map_err(|error| AllowlistError::InvalidRange {
                            group: name.into(),
                            value: value.clone(),
                            error,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(AllowlistGroup {
                    kind: group.kind,
                    name: Some(name.into()),
                    entries,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let combined = aggregate(&groups);
        Ok(Allowlist { groups, combined })
    }

    /// The group for one kind of traffic.
    pub fn group(&self, kind: AllowlistGroupKind) -> Option<&AllowlistGroup> {
        self.groups.iter().find(|group| group.kind == kind)
    }

    /// All groups, in order (the provider's: SMTP first).
    pub fn groups(&self) -> &[AllowlistGroup] {
        &self.groups
    }

    /// Every group merged into the shortest equivalent list (duplicates removed, adjacent
    /// networks joined), sorted, one network each; single addresses bare.
    pub fn combined(&self) -> &[String] {
        &self.combined
    }

    /// [`Allowlist::combined`] one per line, for the copy button.
    pub fn combined_text(&self) -> String {
        self.combined.join("\n")
    }

    /// Which entries hold `ip`, per group. Empty when the address is not the provider's.
    pub fn contains(&self, ip: &str) -> Result<Vec<AllowlistMatch>, IpAddressError> {
        let text = ip.trim();
        if text.is_empty() {
            return Err(IpAddressError::Empty);
        }
        let address: IpAddr = text.parse().map_err(|_| IpAddressError::Invalid)?;
        Ok(self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(index, group)| {
                group
                    .entries
                    .iter()
                    .filter(move |entry| entry.contains(address))
                    .map(move |entry| AllowlistMatch {
                        group: index,
                        kind: group.kind,
                        entry: *entry,
                    })
            })
            .collect())
    }
}

/// The groups' networks merged into the shortest equivalent list, as [`Allowlist::combined`]
/// shows them.
fn aggregate(groups: &[AllowlistGroup]) -> Vec<String> {
    let all: Vec<IpNet> = groups
        .iter()
        .flat_map(|group| group.entries.iter().map(AllowlistEntry::net))
        .collect();
    IpNet::aggregate(&all).into_iter().map(net_text).collect()
}

fn lines(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str) -> AllowlistEntry {
        AllowlistEntry::parse(text).unwrap()
    }

    #[test]
    fn valid_entries_and_their_display() {
        let table = [
            ("143.244.82.12", "143.244.82.12"),
            (" 143.244.82.12/32 ", "143.244.82.12"),
            ("141.193.184.0/27", "141.193.184.0/27"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("2001:db8::/32", "2001:db8::/32"),
            ("2001:db8::1", "2001:db8::1"),
            ("2001:DB8::1/128", "2001:db8::1"),
        ];
        for (input, expected) in table {
            let parsed = entry(input);
            assert_eq!(parsed.to_string(), expected, "{input}");
            assert_eq!(entry(&parsed.to_string()), parsed);
        }
    }

    #[test]
    fn invalid_entries_give_the_precise_error() {
        let table = [
            ("", CidrError::Empty),
            ("  ", CidrError::Empty),
            (
                "143.244.82.12/24",
                CidrError::HostBitsSet {
                    network: "143.244.82.0/24".into(),
                },
            ),
            (
                "2001:db8::1/32",
                CidrError::HostBitsSet {
                    network: "2001:db8::/32".into(),
                },
            ),
            ("10.0.0.0/33", CidrError::PrefixOutOfRange { max: 32 }),
            ("10.0.0.0/300", CidrError::PrefixOutOfRange { max: 32 }),
            ("::/129", CidrError::PrefixOutOfRange { max: 128 }),
            ("010.0.0.0/8", CidrError::Invalid),
            ("10.0.0.01", CidrError::Invalid),
            ("10.0.0.0/08", CidrError::Invalid),
            ("10.0.0.0/+8", CidrError::Invalid),
            ("10.0.0.0/", CidrError::Invalid),
            ("10.0.0.0 /8", CidrError::Invalid),
            ("10.0.0/24", CidrError::Invalid),
            ("256.0.0.0/8", CidrError::Invalid),
            ("example.com", CidrError::Invalid),
            ("10.0.0.0/8/8", CidrError::Invalid),
        ];
        for (input, expected) in table {
            assert_eq!(AllowlistEntry::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn first_last_and_count() {
        let network = entry("141.193.184.0/27");
        assert_eq!(network.first().to_string(), "141.193.184.0");
        assert_eq!(network.last().to_string(), "141.193.184.31");
        assert_eq!(network.address_count(), 32);
        assert!(!network.is_single_address());
        let single = entry("143.244.82.12");
        assert_eq!(single.first(), single.last());
        assert_eq!(single.address_count(), 1);
        assert!(single.is_single_address());
        assert_eq!(entry("0.0.0.0/0").address_count(), 1 << 32);
        assert_eq!(entry("::/0").address_count(), u128::MAX);
        assert_eq!(entry("::/1").address_count(), 1 << 127);
        assert_eq!(single.net().to_string(), "143.244.82.12/32");
    }

    #[test]
    fn provider_default_keeps_the_published_order() {
        let allowlist = Allowlist::provider_default();
        assert_eq!(allowlist, Allowlist::default());
        assert_eq!(allowlist.groups().len(), 2);
        let smtp = allowlist.group(AllowlistGroupKind::Smtp).unwrap();
        assert_eq!(smtp.copy_text(), PROVIDER_SMTP.join("\n"));
        let imap = allowlist.group(AllowlistGroupKind::Imap).unwrap();
        assert_eq!(imap.copy_text(), PROVIDER_IMAP.join("\n"));
        assert_eq!(imap.entries().len(), 12);
        assert_eq!(allowlist.groups()[0].kind(), AllowlistGroupKind::Smtp);
    }

    #[test]
    fn combined_merges_and_aggregates() {
        let allowlist = Allowlist::provider_default();
        assert_eq!(
            aggregate(allowlist.groups()),
            PROVIDER_COMBINED,
            "PROVIDER_COMBINED must be the seed lists' combined list: update it with them"
        );
        assert_eq!(allowlist.combined_text(), PROVIDER_COMBINED.join("\n"));
        let singles = Allowlist::from_named(&[
            named(
                "Relays",
                AllowlistGroupKind::Smtp,
                &["192.0.2.1", "192.0.2.1"],
            ),
            named("Fetchers", AllowlistGroupKind::Imap, &["192.0.2.7"]),
        ])
        .unwrap();
        assert_eq!(singles.combined_text(), "192.0.2.1\n192.0.2.7");
        let adjacent = Allowlist::from_named(&[
            named("A", AllowlistGroupKind::Smtp, &["192.0.2.0/25"]),
            named(
                "B",
                AllowlistGroupKind::Smtp,
                &["192.0.2.128/25", "2001:db8::/33"],
            ),
            named("C", AllowlistGroupKind::Imap, &["2001:db8:8000::/33"]),
        ])
        .unwrap();
        assert_eq!(adjacent.combined_text(), "192.0.2.0/24\n2001:db8::/32");
    }

    fn named(name: &str, kind: AllowlistGroupKind, ranges: &[&str]) -> NamedGroup {
        NamedGroup {
            name: name.into(),
            kind,
            ranges: ranges.iter().map(|range| (*range).to_owned()).collect(),
        }
    }

    #[test]
    fn named_groups_keep_their_names_order_and_kinds() {
        let allowlist = Allowlist::from_named(&[
            named(
                " Office relays ",
                AllowlistGroupKind::Smtp,
                &["192.0.2.0/24", "2001:db8::1"],
            ),
            named("Archive", AllowlistGroupKind::Imap, &["198.51.100.7"]),
            named(
                "Backup relays",
                AllowlistGroupKind::Smtp,
                &["203.0.113.0/28"],
            ),
        ])
        .unwrap();
        let shown: Vec<(Option<&str>, AllowlistGroupKind, String)> = allowlist
            .groups()
            .iter()
            .map(|group| (group.name(), group.kind(), group.copy_text()))
            .collect();
        assert_eq!(
            shown,
            vec![
                (
                    Some("Office relays"),
                    AllowlistGroupKind::Smtp,
                    "192.0.2.0/24\n2001:db8::1".to_owned()
                ),
                (
                    Some("Archive"),
                    AllowlistGroupKind::Imap,
                    "198.51.100.7".to_owned()
                ),
                (
                    Some("Backup relays"),
                    AllowlistGroupKind::Smtp,
                    "203.0.113.0/28".to_owned()
                ),
            ]
        );
        assert_eq!(
            allowlist.group(AllowlistGroupKind::Smtp).unwrap().name(),
            Some("Office relays")
        );
        let matches = allowlist.contains("203.0.113.9").unwrap();
        assert_eq!(matches.len(), 1);
        assert_eq!(matches[0].group, 2);
        assert!(
            Allowlist::provider_default()
                .groups()
                .iter()
                .all(|group| group.name().is_none())
        );
    }

    #[test]
    fn named_groups_report_the_group_and_the_value() {
        let table = [
            (vec![], AllowlistError::NoGroups),
            (
                vec![
                    named("Relays", AllowlistGroupKind::Smtp, &["192.0.2.1"]),
                    named("  ", AllowlistGroupKind::Imap, &["192.0.2.2"]),
                ],
                AllowlistError::UnnamedGroup { position: 2 },
            ),
            (
                vec![named("Relays", AllowlistGroupKind::Smtp, &[])],
                AllowlistError::EmptyGroup {
                    group: "Relays".into(),
                },
            ),
            (
                vec![named(
                    "Relays",
                    AllowlistGroupKind::Smtp,
                    &["192.0.2.1", "192.0.2.7/24"],
                )],
                AllowlistError::InvalidRange {
                    group: "Relays".into(),
                    value: "192.0.2.7/24".into(),
                    error: CidrError::HostBitsSet {
                        network: "192.0.2.0/24".into(),
                    },
                },
            ),
            (
                vec![named("Relays", AllowlistGroupKind::Smtp, &[""])],
                AllowlistError::InvalidRange {
                    group: "Relays".into(),
                    value: String::new(),
                    error: CidrError::Empty,
                },
            ),
        ];
        for (groups, expected) in table {
            assert_eq!(
                Allowlist::from_named(&groups),
                Err(expected.clone()),
                "{expected}"
            );
        }
        let error = Allowlist::from_named(&[named(
            "Office relays",
            AllowlistGroupKind::Smtp,
            &["10.0.0.0/33"],
        )])
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Allowlist group \"Office relays\": \"10.0.0.0/33\" is not an address range. \
             Enter a prefix length from 0 to 32 after the slash, such as 203.0.113.0/24."
        );
        assert_eq!(error.code(), "cidr.prefix_out_of_range");
        assert_eq!(
            error.params(),
            vec![
                ("group", "Office relays".to_owned()),
                ("value", "10.0.0.0/33".to_owned()),
                ("max", "32".to_owned()),
            ]
        );
    }

    #[test]
    fn contains_finds_every_holding_entry() {
        let allowlist = Allowlist::provider_default();
        let matches = allowlist.contains(" 141.193.184.17 ").unwrap();
        assert_eq!(
            matches,
            vec![
                AllowlistMatch {
                    group: 0,
                    kind: AllowlistGroupKind::Smtp,
                    entry: entry("141.193.184.0/27")
                },
                AllowlistMatch {
                    group: 1,
                    kind: AllowlistGroupKind::Imap,
                    entry: entry("141.193.184.0/27")
                },
            ]
        );
        let matches = allowlist.contains("143.244.82.12").unwrap();
        assert_eq!(
            matches,
            vec![AllowlistMatch {
                group: 0,
                kind: AllowlistGroupKind::Smtp,
                entry: entry("143.244.82.12")
            }]
        );
        let matches = allowlist.contains("54.174.62.199").unwrap();
        assert_eq!(matches.len(), 1);
        assert_eq!(matches[0].kind, AllowlistGroupKind::Imap);
        assert!(allowlist.contains("141.193.184.32").unwrap().is_empty());
        assert!(allowlist.contains("2001:db8::1").unwrap().is_empty());
        assert_eq!(allowlist.contains(""), Err(IpAddressError::Empty));
        assert_eq!(
            allowlist.contains("141.193.184"),
            Err(IpAddressError::Invalid)
        );
        assert_eq!(
            allowlist.contains("141.193.184.0/27"),
            Err(IpAddressError::Invalid)
        );
        assert_eq!(
            IpAddressError::Invalid.to_string(),
            "Enter an IP address such as 203.0.113.7."
        );
    }

    #[test]
    fn entries_serialize_as_text() {
        let parsed = entry("141.193.184.0/27");
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            "\"141.193.184.0/27\""
        );
        assert_eq!(
            serde_json::from_str::<AllowlistEntry>("\"143.244.82.12\"").unwrap(),
            entry("143.244.82.12")
        );
        assert!(serde_json::from_str::<AllowlistEntry>("\"143.244.82.12/24\"").is_err());
    }
}
