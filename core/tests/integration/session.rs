//! Signing a store in and out of its sync server: bad addresses are refused and change
//! nothing; signing out keeps every change that waits for the server.

use onsite_core::{Error, Store};
use tempfile::TempDir;

#[test]
fn sign_in_and_out_keep_waiting_changes_and_refuse_bad_input() {
    let dir = TempDir::new().expect("temp dir");
    let store = Store::open(dir.path().join("s.db")).expect("store");
    assert_eq!(store.session().expect("session"), None);

    for (url, token) in [
        ("", "t0k3n"),
        ("ftp://example.org", "t0k3n"),
        ("https://onsite.example.org", ""),
        ("https://onsite.example.org", "two words"),
    ] {
        let err = store.sign_in(url, token).expect_err("refused");
        assert!(matches!(err, Error::Invalid { .. }), "{url} {token}: {err}");
        assert_eq!(store.session().expect("session"), None, "nothing stored");
    }

    store
        .sign_in("https://onsite.example.org", "t0k3n")
        .expect("sign in");
    let session = store.session().expect("session").expect("signed in");
    assert_eq!(
        (session.server_url.as_str(), session.token.as_str()),
        ("https://onsite.example.org", "t0k3n")
    );
    assert_eq!(session.last_success_at, None, "never synced");

    store
        .create_customer(onsite_core::customers::NewCustomer {
            name: "Ida Roth".into(),
            ..Default::default()
        })
        .expect("a change that waits");
    let waiting = store.pending_sync_count().expect("count");
    store.sign_out().expect("sign out");
    assert_eq!(store.session().expect("session"), None);
    assert_eq!(store.pending_sync_count().expect("count"), waiting);
}
