//! The bundled registry and the address/scope decision.

use super::support::*;
use ogi_crawler::{Refusal, check_url, load_portals};
use url::Url;

#[test]
fn bundled_registry_loads_with_sample_portals() {
    let portals = load_portals(&repo().join("data/portals.toml")).expect("registry is valid");
    for id in SAMPLE_PORTALS {
        assert!(portals.iter().any(|p| p.id == id), "missing {id}");
    }
    assert!(
        portals.len() > SAMPLE_PORTALS.len(),
        "real portal entries present"
    );
}

#[test]
fn redirect_targets_on_private_or_metadata_addresses_are_refused() {
    // Decision function only: no traffic is ever sent to these addresses.
    let allowed: Vec<String> = vec![
        "www.beiguan.example".into(),
        "10.0.0.1".into(),
        "169.254.169.254".into(),
        "fd00::1".into(),
        "198.18.0.7".into(),
        "64:ff9b::a9fe:a9fe".into(),
    ];
    for target in [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/x",
        "http://198.18.0.7/",
        "http://[64:ff9b::a9fe:a9fe]/",
    ] {
        // In scope, so the refusal can only be for the address.
        let u = Url::parse(target).unwrap();
        match check_url(&u, &allowed, &[]) {
            Err(r @ Refusal::ForbiddenAddress(_)) => assert_eq!(r.reason(), "forbidden_address"),
            other => panic!("{target} not refused as a private address: {other:?}"),
        }
    }
    assert!(matches!(
        check_url(
            &Url::parse("http://169.254.169.254/").unwrap(),
            &allowed,
            &[]
        ),
        Err(Refusal::ForbiddenAddress(_))
    ));
    assert!(matches!(
        check_url(&Url::parse("http://other.example/").unwrap(), &allowed, &[]),
        Err(Refusal::OutOfScope(_))
    ));
}
