//! Link discovery: the frontier URLs a fetched list page, endpoint page or
//! report page yields (reports, attachments, further list pages).

use super::discovered;
use crate::discover::{self, ListPage, is_attachment};
use crate::portals::Portal;
use crate::state::{Discovered, UrlKind, UrlRow};
use crate::urlnorm::host_key;
use url::Url;

pub(super) fn children_of(portal: &Portal, row: &UrlRow, url: &Url, html: &str) -> Vec<Discovered> {
    let mut out = Vec::new();
    let list: Option<ListPage> = match row.kind {
        UrlKind::List => Some(discover::parse_list_page(portal, url, html)),
        UrlKind::Api => portal.api.as_ref().map(|api| {
            discover::parse_api_page(portal, api, url, row.page.unwrap_or(api.first_page), html)
        }),
        _ => None,
    };
    if let Some(lp) = list {
        for item in &lp.items {
            let k = if is_attachment(&item.url) {
                UrlKind::Attachment
            } else {
                UrlKind::Page
            };
            out.push(discovered(
                portal,
                &item.url,
                k,
                None,
                Some(item),
                url.as_str(),
            ));
        }
        for (i, p) in lp.pages.iter().enumerate() {
            if portal.allows_host(p.host_str().unwrap_or("")) {
                let (k, page) = if row.kind == UrlKind::Api {
                    (UrlKind::Api, Some(row.page.unwrap_or(1) + 1 + i as u32))
                } else {
                    (UrlKind::List, None)
                };
                out.push(discovered(portal, p, k, page, None, url.as_str()));
            }
        }
    } else if row.kind == UrlKind::Page && portal.reports.follow_attachments {
        let item_title = row.list_title.clone();
        for a in discover::attachment_links(url, html) {
            if !portal.allows_host(a.host_str().unwrap_or("")) {
                continue;
            }
            out.push(Discovered {
                url: a.to_string(),
                portal_id: portal.id.clone(),
                host: host_key(&a),
                kind: UrlKind::Attachment,
                page: None,
                title: item_title.clone(),
                year: row.year,
                date: None,
                sig: item_title.as_ref().map(|t| format!("{t}\u{1f}attachment")),
                parent: url.to_string(),
                form: None,
            });
        }
    }
    out
}
