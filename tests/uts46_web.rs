//! Browser tests of international names in the browser build: mailsetup-core carries no Unicode
//! tables there, and the component installs the browser's own UTS #46 mapping. These check that
//! the core parsers then map names as the tables do (the cases core's native tests use). That the
//! component installs it itself is checked in forms_web.rs, where nothing else installs it.
//! Run by `cargo xtask test` (browser tests stage).
#![cfg(target_arch = "wasm32")]

use mailsetup_core::{Domain, DomainError, ExchangeUrl, Host, NameError};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn ascii_of(input: &str) -> Result<String, DomainError> {
    Domain::parse(input).map(|domain| domain.as_ascii().to_owned())
}

#[wasm_bindgen_test]
fn the_browser_maps_international_names_as_the_tables_do() {
    mailsetup::install_browser_uts46();
    assert!(mailsetup_core::has_uts46());
    let mapped = [
        ("Bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.EXAMPLE.", "xn--bcher-kva.example"),
        ("bücher。example", "xn--bcher-kva.example"),
        ("zażółć.pl", "xn--za-6ja4f8n1l.pl"),
        ("ａｂｃ.com", "abc.com"),
        ("faß.de", "xn--fa-hia.de"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("日本語.jp", "xn--wgv71a119e.jp"),
        ("Mail.Example.COM", "mail.example.com"),
    ];
    for (input, expected) in mapped {
        assert_eq!(ascii_of(input), Ok(expected.to_owned()), "{input}");
    }
    let refused: Vec<(&str, DomainError)> = vec![
        (
            "x＿y.com",
            NameError::InvalidCharacter { character: '＿' }.into(),
        ),
        (
            "x：y.com",
            NameError::InvalidCharacter { character: '：' }.into(),
        ),
        // Chromium reads an all-ASCII host as it is; core checks the Punycode itself.
        ("xn--zz.example", NameError::InvalidInternationalName.into()),
        (
            "xn--abc-.example",
            NameError::InvalidInternationalName.into(),
        ),
        (
            "xn--zz.bücher.example",
            NameError::InvalidInternationalName.into(),
        ),
        ("a。。b.com", NameError::EmptyLabel.into()),
        ("１２７.０.０.１", NameError::NumericTopLevel.into()),
        ("a.１２", NameError::NumericTopLevel.into()),
        (
            "-bü.com",
            NameError::HyphenAtLabelEdge {
                label: "-bü".into(),
            }
            .into(),
        ),
    ];
    for (input, expected) in refused {
        assert_eq!(ascii_of(input), Err(expected), "{input}");
    }
    assert_eq!(
        Domain::parse("xn--za-6ja4f8n1l.pl").map(|domain| domain.to_unicode()),
        Ok("zażółć.pl".to_owned())
    );
    assert_eq!(
        ExchangeUrl::parse("https://mail.Bücher.example/EWS/Exchange.asmx")
            .map(|url| url.as_str().to_owned()),
        Ok("https://mail.xn--bcher-kva.example/EWS/Exchange.asmx".to_owned())
    );
    assert_eq!(
        Host::parse("imap.Bücher.example").map(|host| host.to_unicode()),
        Ok("imap.bücher.example".to_owned())
    );
}
