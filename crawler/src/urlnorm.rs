//! Canonical URL form for de-duplication, and the scope / address decisions made
//! before any request (including every redirect hop).

use ip_network::{IpNetwork, Ipv6Network};
use std::net::IpAddr;
use url::{Host, Url};

/// Returns the canonical form of `url`: scheme and host lower-case (done by `url`),
/// default port removed, fragment removed, percent-encoding normalised (unreserved
/// characters decoded, hex digits upper-case), empty query removed.
pub fn canonicalize(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_fragment(None);
    // `url` already drops a port equal to the scheme's default when parsing.
    if u.port().is_some() && u.port() == default_port(u.scheme()) {
        let _ = u.set_port(None);
    }
    let path = normalize_percent(u.path());
    u.set_path(&path);
    match u.query() {
        Some("") => u.set_query(None),
        Some(q) => {
            let q = normalize_percent(q);
            u.set_query(Some(&q));
        }
        None => {}
    }
    u
}

/// Parses `href` relative to `base` and canonicalises it; only http(s) URLs are kept.
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with("javascript:") || href.starts_with("mailto:") {
        return None;
    }
    let u = base.join(href).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| canonicalize(&u))
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Decodes percent-escapes of unreserved characters and upper-cases the others.
fn normalize_percent(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let v = u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(0);
            if is_unreserved(v) {
                out.push(v as char);
            } else {
                out.push('%');
                out.push_str(&s[i + 1..i + 3].to_ascii_uppercase());
            }
            i += 3;
        } else {
            let ch = s[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The key under which `http://`/`https://` and `www.`/bare-host variants of one
/// URL are one document: host without `www.`, port, path and query (no scheme).
pub fn variant_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let port = match url.port() {
        Some(p) if Some(p) != default_port(url.scheme()) => format!(":{p}"),
        _ => String::new(),
    };
    match url.query() {
        Some(q) => format!("{host}{port}{}?{q}", url.path()),
        None => format!("{host}{port}{}", url.path()),
    }
}

/// The host key used for politeness (host name, plus the port when not default).
pub fn host_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    match url.port() {
        Some(p) if Some(p) != default_port(url.scheme()) => format!("{host}:{p}"),
        _ => host,
    }
}

/// Why a URL may not be requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not http or https.
    Scheme,
    /// The host is not one of the portal's allowed hosts.
    OutOfScope(String),
    /// The host is (or resolves to) a private, loopback, link-local or otherwise
    /// non-public address and is not explicitly allow-listed.
    ForbiddenAddress(String),
}

impl Refusal {
    /// Short machine-readable reason, used as a failure reason in the state DB.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::Scheme => "bad_scheme",
            Refusal::OutOfScope(_) => "out_of_scope",
            Refusal::ForbiddenAddress(_) => "forbidden_address",
        }
    }
}

/// IPv6 special-purpose ranges (IANA IPv6 Special-Purpose Address Registry) that
/// `ip_network`'s scope checks do not cover and a crawler must not reach: the
/// ranges that embed or tunnel to IPv4 addresses (NAT64, 6to4, Teredo; the
/// embedded address could be private), discard-only, IETF protocol assignments
/// (Teredo, benchmarking, ORCHID), the new documentation prefix and SRv6 SIDs.
const REFUSED_V6: &[&str] = &[
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/23",
    "2002::/16",
    "3fff::/20",
    "5f00::/16",
];

fn refused_v6() -> &'static [Ipv6Network] {
    static NETS: std::sync::OnceLock<Vec<Ipv6Network>> = std::sync::OnceLock::new();
    NETS.get_or_init(|| {
        REFUSED_V6
            .iter()
            .map(|s| s.parse().expect("REFUSED_V6 holds valid CIDR ranges"))
            .collect()
    })
}

/// True for addresses a public-web crawler must never contact: everything that is
/// not globally routable by the IANA special-purpose registries as implemented by
/// the `ip_network` crate (loopback, RFC 1918, CGNAT, link-local incl. the
/// 169.254.169.254 metadata address, benchmarking 198.18.0.0/15, reserved,
/// documentation, ULA, site-local fec0::/10, …), multicast, IPv4-mapped and
/// IPv4-compatible IPv6 addresses of such IPv4 addresses, and the IPv6 ranges in
/// [`REFUSED_V6`].
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_multicast() || !IpNetwork::from(v4).is_global(),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4() {
                // ::a.b.c.d (deprecated IPv4-compatible) and ::ffff:a.b.c.d (mapped).
                return v6.is_unspecified() || v6.is_loopback() || is_forbidden_ip(IpAddr::V4(v4));
            }
            v6.is_multicast()
                || !IpNetwork::from(v6).is_global()
                || refused_v6().iter().any(|n| n.contains(v6))
        }
    }
}

/// Decides whether `url` may be requested for a portal whose allowed hosts are
/// `allowed_hosts`; `address_allow` lists hosts that may be private/loopback
/// (the bundled sample portal and test hosts). IP-literal hosts are checked here;
/// names are checked again after DNS resolution by the crawler's resolver.
pub fn check_url(
    url: &Url,
    allowed_hosts: &[String],
    address_allow: &[String],
) -> Result<(), Refusal> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refusal::Scheme);
    }
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let host_bare = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let allow_listed = address_allow
        .iter()
        .any(|h| h.eq_ignore_ascii_case(&host_bare));
    match url.host() {
        Some(Host::Ipv4(ip)) if !allow_listed && is_forbidden_ip(IpAddr::V4(ip)) => {
            return Err(Refusal::ForbiddenAddress(host));
        }
        Some(Host::Ipv6(ip)) if !allow_listed && is_forbidden_ip(IpAddr::V6(ip)) => {
            return Err(Refusal::ForbiddenAddress(host));
        }
        Some(Host::Domain(d))
            if !allow_listed && (d == "localhost" || d.ends_with(".localhost")) =>
        {
            return Err(Refusal::ForbiddenAddress(host));
        }
        None => return Err(Refusal::OutOfScope(host)),
        _ => {}
    }
    if !allowed_hosts
        .iter()
        .any(|h| h.eq_ignore_ascii_case(&host_bare))
    {
        return Err(Refusal::OutOfScope(host));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> String {
        canonicalize(&Url::parse(s).unwrap()).to_string()
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(
            c("HTTP://WWW.Example.COM:80/a/%7euser/#frag"),
            "http://www.example.com/a/~user/"
        );
        assert_eq!(
            c("https://example.com:443/x?a=%2f&b=%41"),
            "https://example.com/x?a=%2F&b=A"
        );
        assert_eq!(c("http://example.com:8080/x?"), "http://example.com:8080/x");
        assert_eq!(
            c("http://example.com/a/./b/../c.html"),
            "http://example.com/a/c.html"
        );
        assert_eq!(
            c("http://example.com/年报/index.html"),
            c("http://example.com/%E5%B9%B4%E6%8A%A5/index.html")
        );
    }

    #[test]
    fn scheme_and_www_variants_share_a_key() {
        let k = |s: &str| variant_key(&Url::parse(s).unwrap());
        assert_eq!(
            k("http://www.x.gov.cn/a/t1.html"),
            k("https://x.gov.cn/a/t1.html")
        );
        assert_ne!(
            k("http://www.x.gov.cn/a/t1.html"),
            k("http://www.x.gov.cn/a/t2.html")
        );
        assert_ne!(k("http://x.gov.cn:8080/a"), k("http://x.gov.cn/a"));
    }

    #[test]
    fn refuses_private_and_metadata_addresses() {
        let bad = [
            "http://10.0.0.1/x",
            "http://169.254.169.254/latest/meta-data/",
            "http://127.0.0.1/",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://198.18.0.1/",
            "http://198.19.255.254/",
            "http://240.0.0.1/",
            "http://0.1.2.3/",
            "http://[64:ff9b::a00:1]/",
            "http://[64:ff9b::808:808]/",
            "http://[2002:a00:1::1]/",
            "http://[2001:0:4136:e378::1]/",
            "http://[fec0::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[::10.0.0.1]/",
            "http://[ff0e::1]/",
            "http://[100::1]/",
            "http://localhost/",
        ];
        // Every host is in scope: the refusal must be for the address, not the scope.
        let allowed: Vec<String> = bad
            .iter()
            .map(|u| {
                Url::parse(u)
                    .unwrap()
                    .host_str()
                    .unwrap()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_string()
            })
            .collect();
        for u in bad {
            let r = check_url(&Url::parse(u).unwrap(), &allowed, &[]);
            assert!(matches!(r, Err(Refusal::ForbiddenAddress(_))), "{u}: {r:?}");
            assert_eq!(r.unwrap_err().reason(), "forbidden_address");
        }
        let allowed = vec!["gov.example".to_string()];
        assert!(check_url(&Url::parse("http://gov.example/x").unwrap(), &allowed, &[]).is_ok());
        assert!(matches!(
            check_url(&Url::parse("http://evil.example/x").unwrap(), &allowed, &[]),
            Err(Refusal::OutOfScope(_))
        ));
        assert!(
            check_url(
                &Url::parse("http://127.0.0.1:8080/x").unwrap(),
                &["127.0.0.1".into()],
                &["127.0.0.1".into()]
            )
            .is_ok()
        );
        for good in ["8.8.8.8", "202.96.134.133", "2400:3200::1", "240e::1"] {
            assert!(!is_forbidden_ip(good.parse().unwrap()), "{good}");
        }
    }
}
