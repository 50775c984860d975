//! The answers to mail programs: Thunderbird's autoconfig, Outlook's Autodiscover and Apple's
//! configuration profile, fetched without signing in. Answers are read with parsers that share
//! nothing with the server (roxmltree for XML, plist for property lists) and checked field by
//! field. The main flows run against SQLite and PostgreSQL; the refusals and the rate limit,
//! which touch the database the same way, on SQLite.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{
    AppOptions, Engine, TestApp, exchange_entry, header, imap_entry, problem, spawn_app,
    spawn_app_with,
};

both_engines!(
    thunderbird_gets_autoconfig_with_the_local_part,
    outlook_gets_autodiscover_on_a_mixed_case_path,
    apple_devices_get_a_profile_for_a_subdomain,
    unknown_and_exchange_domains_get_one_and_the_same_404,
);

const AUTOCONFIG_PATHS: [&str; 2] = [
    "/.well-known/autoconfig/mail/config-v1.1.xml",
    "/mail/config-v1.1.xml",
];
const REQUEST_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
const RESPONSE_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

/// `example.com`: IMAP on 993 (SSL/TLS), SMTP on 587 (STARTTLS), usernames the part before
/// the @, subdomains included when asked.
async fn with_example_com(app: &TestApp, include_subdomains: bool) {
    let mut body = imap_entry("example.com");
    body["outgoing"] = json!({"host": "smtp.example.net", "port": 587, "security": "starttls"});
    body["username"] = json!("local_part");
    body["include_subdomains"] = json!(include_subdomains);
    app.create_body("example.com", &body).await;
}

/// A GET without credentials: mail programs cannot sign in.
async fn get(app: &TestApp, path_and_query: &str) -> Response {
    app.client
        .get(app.url(path_and_query))
        .send()
        .await
        .expect("the server answers")
}

async fn post_autodiscover(app: &TestApp, path: &str, body: String) -> Response {
    app.client
        .post(app.url(path))
        .header("Content-Type", "text/xml")
        .body(body)
        .send()
        .await
        .expect("the server answers")
}

fn autodiscover_request(email: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Autodiscover xmlns=\"{REQUEST_SCHEMA}\">\
         <Request><EMailAddress>{email}</EMailAddress>\
         <AcceptableResponseSchema>{RESPONSE_SCHEMA}</AcceptableResponseSchema></Request></Autodiscover>"
    )
}

async fn xml_answer(response: Response, media_type: &str) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), media_type);
    assert_eq!(header(&response, "cache-control"), "no-store");
    response.text().await.unwrap()
}

/// The element children of `node` named `name`.
fn children<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> + 'a {
    node.children()
        .filter(move |child| child.has_tag_name(name))
}

fn child_text<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|child| child.has_tag_name(name))
        .and_then(|child| child.text())
}

async fn thunderbird_gets_autoconfig_with_the_local_part(engine: Engine) {
    let app = spawn_app(engine).await;
    with_example_com(&app, false).await;
    for path in AUTOCONFIG_PATHS {
        let xml = xml_answer(
            get(&app, &format!("{path}?emailaddress=alice%40example.com")).await,
            "application/xml",
        )
        .await;
        let document = roxmltree::Document::parse(&xml).unwrap();
        let config = document.root_element();
        assert_eq!(config.tag_name().name(), "clientConfig");
        assert_eq!(config.attribute("version"), Some("1.1"));
        let provider = children(config, "emailProvider").next().unwrap();
        assert_eq!(provider.attribute("id"), Some("example.com"));
        assert_eq!(
            children(provider, "domain")
                .map(|domain| domain.text().unwrap())
                .collect::<Vec<_>>(),
            ["example.com"]
        );
        for (element, kind, host, port, socket) in [
            ("incomingServer", "imap", "imap.example.net", "993", "SSL"),
            (
                "outgoingServer",
                "smtp",
                "smtp.example.net",
                "587",
                "STARTTLS",
            ),
        ] {
            let servers: Vec<_> = children(provider, element).collect();
            assert_eq!(servers.len(), 1, "{path} {element}");
            let server = servers[0];
            assert_eq!(server.attribute("type"), Some(kind));
            assert_eq!(child_text(server, "hostname"), Some(host));
            assert_eq!(child_text(server, "port"), Some(port));
            assert_eq!(child_text(server, "socketType"), Some(socket));
            assert_eq!(child_text(server, "username"), Some("%EMAILLOCALPART%"));
            assert_eq!(
                child_text(server, "authentication"),
                Some("password-cleartext")
            );
        }
    }
    // Without an address, or with text that is none: 400 with core's code.
    let missing = problem(
        get(&app, AUTOCONFIG_PATHS[1]).await,
        400,
        "malformed-request",
    )
    .await;
    assert_eq!(missing["code"], "email.empty");
    let invalid = problem(
        get(&app, &format!("{}?emailaddress=alice", AUTOCONFIG_PATHS[0])).await,
        400,
        "malformed-request",
    )
    .await;
    assert_eq!(invalid["code"], "email.missing_at");
}

/// `(Type, [(child, text)])` of every `<Protocol>` of an Autodiscover answer.
fn autodiscover_protocols(xml: &str) -> Vec<Vec<(String, String)>> {
    let document = roxmltree::Document::parse(xml).unwrap();
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "Autodiscover");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006")
    );
    let response = children(root, "Response").next().unwrap();
    assert_eq!(response.tag_name().namespace(), Some(RESPONSE_SCHEMA));
    let account = children(response, "Account").next().unwrap();
    assert_eq!(child_text(account, "AccountType"), Some("email"));
    assert_eq!(child_text(account, "Action"), Some("settings"));
    children(account, "Protocol")
        .map(|protocol| {
            protocol
                .children()
                .filter(roxmltree::Node::is_element)
                .map(|field| {
                    (
                        field.tag_name().name().to_owned(),
                        field.text().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .collect()
}

fn fields(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

async fn outlook_gets_autodiscover_on_a_mixed_case_path(engine: Engine) {
    let app = spawn_app(engine).await;
    with_example_com(&app, false).await;
    for path in [
        "/Autodiscover/Autodiscover.xml",
        "/autodiscover/autodiscover.xml",
        "/AUTODISCOVER/autodiscover.XML",
    ] {
        let xml = xml_answer(
            post_autodiscover(&app, path, autodiscover_request("alice@example.com")).await,
            "application/xml",
        )
        .await;
        assert_eq!(
            autodiscover_protocols(&xml),
            vec![
                fields(&[
                    ("Type", "IMAP"),
                    ("Server", "imap.example.net"),
                    ("Port", "993"),
                    ("LoginName", "alice"),
                    ("DomainRequired", "off"),
                    ("SPA", "off"),
                    ("SSL", "on"),
                    ("Encryption", "SSL"),
                    ("AuthRequired", "on"),
                ]),
                fields(&[
                    ("Type", "SMTP"),
                    ("Server", "smtp.example.net"),
                    ("Port", "587"),
                    ("LoginName", "alice"),
                    ("DomainRequired", "off"),
                    ("SPA", "off"),
                    ("SSL", "on"),
                    ("Encryption", "TLS"),
                    ("AuthRequired", "on"),
                ]),
            ],
            "{path}"
        );
    }
    // Another method on the path, in any case: 405 naming POST.
    for path in [
        "/Autodiscover/Autodiscover.xml",
        "/autodiscover/autodiscover.xml",
    ] {
        let wrong = get(&app, path).await;
        assert_eq!(header(&wrong, "allow"), "POST", "{path}");
        problem(wrong, 405, "method-not-allowed").await;
    }
    // Other unknown paths are still plain 404s.
    problem(get(&app, "/Autodiscover/Other.xml").await, 404, "not-found").await;
}

/// The profile's top-level dictionary and its one payload, read with the plist crate.
fn read_profile(bytes: &[u8]) -> (plist::Dictionary, plist::Dictionary) {
    let value = plist::Value::from_reader_xml(bytes).expect("an XML property list");
    let outer = value.into_dictionary().expect("a dictionary");
    let content = outer
        .get("PayloadContent")
        .and_then(plist::Value::as_array)
        .expect("PayloadContent");
    assert_eq!(content.len(), 1);
    let payload = content[0].as_dictionary().expect("a payload").clone();
    (outer, payload)
}

fn text<'a>(dictionary: &'a plist::Dictionary, key: &str) -> &'a str {
    dictionary
        .get(key)
        .and_then(plist::Value::as_string)
        .unwrap_or_else(|| panic!("{key} is text"))
}

fn number(dictionary: &plist::Dictionary, key: &str) -> u64 {
    dictionary
        .get(key)
        .and_then(plist::Value::as_unsigned_integer)
        .unwrap_or_else(|| panic!("{key} is a number"))
}

fn flag(dictionary: &plist::Dictionary, key: &str) -> bool {
    dictionary
        .get(key)
        .and_then(plist::Value::as_boolean)
        .unwrap_or_else(|| panic!("{key} is a boolean"))
}

fn is_uuid_v4(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|group| group.len()).eq([8, 4, 4, 4, 12])
        && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b', 'A', 'B'])
}

async fn apple_devices_get_a_profile_for_a_subdomain(engine: Engine) {
    let app = spawn_app(engine).await;
    with_example_com(&app, true).await;
    let response = get(
        &app,
        "/apple/mailsetup.mobileconfig?email=Bob%40eu.example.com",
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "content-type"),
        "application/x-apple-aspen-config"
    );
    assert_eq!(
        header(&response, "content-disposition"),
        "attachment; filename=\"mailsetup.mobileconfig\""
    );
    let bytes = response.bytes().await.unwrap();
    let (outer, mail) = read_profile(&bytes);
    assert_eq!(text(&outer, "PayloadType"), "Configuration");
    assert_eq!(number(&outer, "PayloadVersion"), 1);
    assert!(is_uuid_v4(text(&outer, "PayloadUUID")));
    assert!(!text(&outer, "PayloadIdentifier").is_empty());
    assert!(text(&outer, "PayloadDisplayName").contains("Bob@eu.example.com"));
    assert_eq!(text(&mail, "PayloadType"), "com.apple.mail.managed");
    assert_eq!(number(&mail, "PayloadVersion"), 1);
    assert!(is_uuid_v4(text(&mail, "PayloadUUID")));
    assert_ne!(text(&mail, "PayloadUUID"), text(&outer, "PayloadUUID"));
    assert_ne!(
        text(&mail, "PayloadIdentifier"),
        text(&outer, "PayloadIdentifier")
    );
    assert_eq!(text(&mail, "EmailAccountType"), "EmailTypeIMAP");
    assert_eq!(text(&mail, "EmailAddress"), "Bob@eu.example.com");
    for (side, host, port) in [
        ("Incoming", "imap.example.net", 993),
        ("Outgoing", "smtp.example.net", 587),
    ] {
        assert_eq!(text(&mail, &format!("{side}MailServerHostName")), host);
        assert_eq!(number(&mail, &format!("{side}MailServerPortNumber")), port);
        assert!(flag(&mail, &format!("{side}MailServerUseSSL")));
        assert_eq!(text(&mail, &format!("{side}MailServerUsername")), "Bob");
        assert_eq!(
            text(&mail, &format!("{side}MailServerAuthentication")),
            "EmailAuthPassword"
        );
        assert!(!mail.contains_key(&format!("{side}Password")));
    }
    assert!(flag(&mail, "OutgoingPasswordSameAsIncomingPassword"));
    // The same address gets the same identifiers (installing again replaces the profile).
    let again = get(
        &app,
        "/apple/mailsetup.mobileconfig?email=Bob%40eu.example.com",
    )
    .await;
    let (outer_again, _) = read_profile(&again.bytes().await.unwrap());
    assert_eq!(
        text(&outer_again, "PayloadUUID"),
        text(&outer, "PayloadUUID")
    );
    // A subdomain below an Exchange entry that includes subdomains gets nothing.
    let mut corp = exchange_entry("corp.example");
    corp["include_subdomains"] = json!(true);
    app.create_body("corp.example", &corp).await;
    problem(
        get(
            &app,
            "/apple/mailsetup.mobileconfig?email=bob%40eu.corp.example",
        )
        .await,
        404,
        "not-found",
    )
    .await;
}

/// Every mail-program answer for `email`.
async fn every_answer(app: &TestApp, email: &str) -> Vec<Response> {
    let encoded = email.replace('@', "%40");
    vec![
        get(
            app,
            &format!("{}?emailaddress={encoded}", AUTOCONFIG_PATHS[0]),
        )
        .await,
        get(
            app,
            &format!("{}?emailaddress={encoded}", AUTOCONFIG_PATHS[1]),
        )
        .await,
        post_autodiscover(
            app,
            "/autodiscover/autodiscover.xml",
            autodiscover_request(email),
        )
        .await,
        get(
            app,
            &format!("/apple/mailsetup.mobileconfig?email={encoded}"),
        )
        .await,
    ]
}

async fn unknown_and_exchange_domains_get_one_and_the_same_404(engine: Engine) {
    let app = spawn_app(engine).await;
    with_example_com(&app, false).await;
    app.create_body("corp.example", &exchange_entry("corp.example"))
        .await;
    let mut bodies = Vec::new();
    for email in [
        "alice@unknown.example",
        "alice@corp.example",
        // example.com does not include its subdomains.
        "alice@sales.example.com",
    ] {
        for response in every_answer(&app, email).await {
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{email}");
            assert_eq!(
                header(&response, "content-type"),
                "application/problem+json"
            );
            bodies.push(response.text().await.unwrap());
        }
    }
    assert!(
        bodies.iter().all(|body| body == &bodies[0]),
        "one 404 body for all: {bodies:#?}"
    );
    let body: Value = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(body["type"], "https://mailsetup.dev/problems/not-found");
    assert!(!bodies[0].contains("example"), "{}", bodies[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autodiscover_refuses_what_is_not_a_request() {
    let app = spawn_app(Engine::Sqlite).await;
    with_example_com(&app, false).await;
    let path = "/autodiscover/autodiscover.xml";
    let not_xml = problem(
        post_autodiscover(&app, path, "alice@example.com".into()).await,
        400,
        "malformed-request",
    )
    .await;
    assert!(
        not_xml["detail"]
            .as_str()
            .unwrap()
            .contains("not valid XML"),
        "{not_xml}"
    );
    let billion_laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n \
        <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n \
        <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n \
        <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n\
        <Autodiscover><Request><EMailAddress>&lol3;@example.com</EMailAddress></Request></Autodiscover>";
    let bomb = problem(
        post_autodiscover(&app, path, billion_laughs.into()).await,
        400,
        "malformed-request",
    )
    .await;
    assert!(
        bomb["detail"].as_str().unwrap().contains("<!DOCTYPE"),
        "{bomb}"
    );
    let no_address = problem(
        post_autodiscover(
            &app,
            path,
            format!("<Autodiscover xmlns=\"{REQUEST_SCHEMA}\"><Request/></Autodiscover>"),
        )
        .await,
        400,
        "malformed-request",
    )
    .await;
    assert!(
        no_address["detail"]
            .as_str()
            .unwrap()
            .contains("no e-mail address"),
        "{no_address}"
    );
    let invalid = problem(
        post_autodiscover(&app, path, autodiscover_request("alice")).await,
        400,
        "malformed-request",
    )
    .await;
    assert_eq!(invalid["code"], "email.missing_at");
    let mobilesync = autodiscover_request("alice@example.com").replace(
        RESPONSE_SCHEMA,
        "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006",
    );
    let schema = problem(
        post_autodiscover(&app, path, mobilesync).await,
        400,
        "malformed-request",
    )
    .await;
    assert!(
        schema["detail"].as_str().unwrap().contains(RESPONSE_SCHEMA),
        "{schema}"
    );
    let oversized = autodiscover_request(&format!("alice@example.com{}", " ".repeat(20 * 1024)));
    problem(
        post_autodiscover(&app, path, oversized).await,
        413,
        "payload-too-large",
    )
    .await;
    // The same request fits, and is answered.
    let fits = post_autodiscover(&app, path, autodiscover_request("alice@example.com")).await;
    assert_eq!(fits.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_program_requests_are_limited_per_client_address() {
    let app = spawn_app_with(
        Engine::Sqlite,
        AppOptions {
            args: vec!["--autoconfig-requests-per-minute".into(), "3".into()],
            ..AppOptions::default()
        },
    )
    .await;
    with_example_com(&app, false).await;
    let autoconfig = format!("{}?emailaddress=alice%40example.com", AUTOCONFIG_PATHS[1]);
    assert_eq!(get(&app, &autoconfig).await.status(), StatusCode::OK);
    assert_eq!(
        get(
            &app,
            "/apple/mailsetup.mobileconfig?email=alice%40example.com"
        )
        .await
        .status(),
        StatusCode::OK
    );
    let answers = post_autodiscover(
        &app,
        "/Autodiscover/Autodiscover.xml",
        autodiscover_request("alice@example.com"),
    )
    .await;
    assert_eq!(answers.status(), StatusCode::OK);
    // The fourth request in the minute, whichever endpoint: 429 with Retry-After.
    for response in every_answer(&app, "alice@example.com").await {
        let retry_after: u64 = header(&response, "retry-after").parse().unwrap();
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        let refused = problem(response, 429, "rate-limited").await;
        assert_eq!(refused["retry_after"], retry_after);
        assert!(
            refused["detail"]
                .as_str()
                .unwrap()
                .contains("requests for mail settings"),
            "{refused}"
        );
    }
    // The API itself is not limited by it.
    let api = app
        .get("/api/v1/email-domains", crate::helpers::ADMIN_TOKEN)
        .await;
    assert_eq!(api.status(), StatusCode::OK);
}
