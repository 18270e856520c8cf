//! `pm new` then load gives back exactly what was asked for, for arbitrary input.

use chrono::NaiveDate;
use postmortems::archive::{self, Archive};
use postmortems::model::{Status, Visibility};
use postmortems::scaffold::{self, NewPostmortem};
use postmortems::templates;
use proptest::prelude::*;

use crate::sandbox::Sandbox;

const SERVICES: &[&str] = &["checkout-api", "payment-gateway", "kubernetes"];

/// Titles as people write them, and as they should never break the file: any printable
/// text, with YAML and template syntax mixed in.
fn title() -> impl Strategy<Value = String> {
    let tricky = prop_oneof![
        Just("x\": y --- visibility: public".to_owned()),
        Just("{{ 7*7 }} {% if %}".to_owned()),
        Just("# not a comment: really".to_owned()),
        Just("- [a, b]: &anchor *alias".to_owned()),
        Just("'quoted' \"double\" `back`".to_owned()),
        Just("🔥🔥🔥".to_owned()),
        Just("null".to_owned()),
        Just("1.10".to_owned()),
        Just("yes".to_owned()),
        Just("../../etc/passwd".to_owned()),
    ];
    let any_text = "[^\\p{Cc}\\p{Zl}\\p{Zp}]{1,200}";
    prop_oneof![
        tricky,
        any_text.prop_map(String::from),
        (any_text, "[ :#>|-]{1,3}", any_text).prop_map(|(a, b, c)| format!("{a}{b}{c}"))
    ]
    .prop_filter("a title has text", |t| !t.trim().is_empty())
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1990i32..2100, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn new_then_load_gives_back_the_same_values(
        title in title(),
        services in proptest::sample::subsequence(SERVICES, 0..=SERVICES.len()),
        date in date(),
        author in "[A-Za-zÀ-ÿ' .-]{1,30}",
    ) {
        let sandbox = Sandbox::init();
        let root = sandbox.path();
        let config = archive::load_config(root).unwrap().config;
        let template = templates::postmortem_template(Some(root), "standard").unwrap();
        let request = NewPostmortem {
            title: title.clone(),
            services: services.iter().map(|s| (*s).to_owned()).collect(),
            teams: Vec::new(),
            severity: Some("SEV2".to_owned()),
            date,
            authors: vec![author.clone()],
        };
        let created = scaffold::create(root, &config, &template, &request).unwrap();

        let archive = Archive::open(root).unwrap();
        prop_assert!(archive.diagnostics.is_empty(), "{:?}", archive.diagnostics);
        let doc = archive.document(&created.id).unwrap();
        prop_assert_eq!(&doc.front, &created.front);
        prop_assert_eq!(&doc.front.title, title.trim());
        prop_assert_eq!(&doc.front.services, &request.services);
        prop_assert_eq!(&doc.front.authors, &vec![author]);
        prop_assert_eq!(doc.date, date);
        prop_assert_eq!(doc.front.status, Status::Draft);
        prop_assert_eq!(doc.front.visibility, Visibility::Internal);
        prop_assert!(created.id.starts_with(&date.format("%Y-%m-%d-").to_string()));
        let expected_path = format!("postmortems/{}/{}.md", date.format("%Y"), created.id);
        prop_assert_eq!(doc.path.to_string_lossy().replace('\\', "/"), expected_path);
    }
}

proptest! {
    // Each case runs the real binary twice; fewer cases, the same property end to end.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn pm_new_then_pm_list_gives_back_the_same_values(
        title in title(),
        services in proptest::sample::subsequence(SERVICES, 0..=SERVICES.len()),
        date in date(),
    ) {
        let sandbox = Sandbox::init();
        let date_arg = date.to_string();
        let mut args = vec!["new", "--severity", "SEV3", "--date", date_arg.as_str()];
        for service in &services {
            args.extend(["--service", service]);
        }
        // `--` ends the options, so a title starting with `-` is still the title.
        args.extend(["--", title.as_str()]);
        let output = sandbox.pm().args(&args).output().unwrap();
        prop_assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

        let listed = sandbox.pm().args(["list", "--format", "json"]).output().unwrap();
        let docs: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
        prop_assert_eq!(docs.len(), 1);
        prop_assert_eq!(docs[0]["title"].as_str(), Some(title.trim()));
        prop_assert_eq!(docs[0]["date"].as_str(), Some(date_arg.as_str()));
        prop_assert_eq!(&docs[0]["services"], &serde_json::json!(services));
        prop_assert_eq!(docs[0]["visibility"].as_str(), Some("internal"));
    }
}
