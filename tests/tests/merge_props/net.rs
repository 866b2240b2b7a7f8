//! A network that reorders, duplicates and drops: requests and answers in flight between the
//! phones and the server, each delivered, copied or lost when the case says so. A phone acts on
//! an answer exactly as the sync client does (`apply_push`, `restamp_pending` after
//! `clock_ahead`, `apply_pull`); a lost request or answer is retried by the phone sending again
//! from its outbox and cursor, as the next round would.

use onsite_core::sync::apply;
use onsite_core::sync::wire::{MAX_PUSH_BATCH, PullResponse, PushRequest, PushResponse};
use onsite_server::error::ServerError;

use super::world::World;

/// The server's answer to a push as the phone acts on it.
#[derive(Debug, Clone)]
pub enum PushAnswer {
    /// The outcomes.
    Answered(PushResponse),
    /// `clock_ahead` with the server's time: stamp the waiting changes again.
    ClockAhead(i64),
    /// `gap`: nothing to do but send again from the outbox.
    Gap,
}

/// Something on the wire.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A phone's push on its way to the server.
    Push { dev: usize, req: PushRequest },
    /// The server's answer to it on its way back.
    Pushed {
        dev: usize,
        req: PushRequest,
        answer: PushAnswer,
    },
    /// A phone asking for the changes after `cursor`.
    Pull { dev: usize, cursor: i64 },
    /// A page on its way back.
    Page { dev: usize, page: PullResponse },
}

/// Counts of what the network did in one case, for the failure message.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Messages delivered.
    pub delivered: u32,
    /// Messages lost.
    pub dropped: u32,
    /// Messages copied.
    pub duplicated: u32,
    /// `clock_ahead` answers acted on.
    pub restamps: u32,
}

/// The push a phone would send now (its oldest waiting changes), if it has any.
pub fn push_request(w: &World, dev: usize) -> Option<PushRequest> {
    let store = &w.devices[dev].store;
    let batch = u32::try_from(MAX_PUSH_BATCH).expect("a small batch");
    let mutations = store
        .read(|c| apply::pending_mutations(c, batch))
        .expect("outbox");
    (!mutations.is_empty()).then(|| PushRequest {
        client_id: store.client_id(),
        mutations,
    })
}

/// The server handles a push.
pub fn serve_push(w: &World, dev: usize, req: &PushRequest) -> PushAnswer {
    match onsite_server::sync::push(&w.db, &w.devices[dev].user, req.clone()) {
        Ok(resp) => PushAnswer::Answered(resp),
        Err(ServerError::ClockAhead { server_time_ms }) => PushAnswer::ClockAhead(server_time_ms),
        Err(ServerError::Gap { .. }) => PushAnswer::Gap,
        Err(err) => panic!("the server failed a push: {err:?}"),
    }
}

/// The phone acts on a push answer.
pub fn take_push_answer(
    w: &World,
    dev: usize,
    req: &PushRequest,
    answer: &PushAnswer,
    t: &mut Tally,
) {
    let store = &w.devices[dev].store;
    match answer {
        PushAnswer::Answered(resp) => {
            store
                .import(|tx, ctx| apply::apply_push(tx, ctx.now(), &req.mutations, resp))
                .expect("the phone takes the push answer");
        }
        PushAnswer::ClockAhead(server_time_ms) => {
            t.restamps += 1;
            store
                .import(|tx, ctx| apply::restamp_pending(tx, ctx, *server_time_ms))
                .expect("the phone stamps its changes again");
        }
        PushAnswer::Gap => {}
    }
}

/// The phone applies a page (a copy or a late one included, as the wire brought it).
pub fn take_page(w: &World, dev: usize, page: &PullResponse) {
    w.devices[dev]
        .store
        .import(|tx, ctx| apply::apply_pull(tx, ctx, page))
        .expect("the page applies");
}

/// Delivers `msg`: the server answers a request (the answer goes on the wire), a phone acts on
/// an answer.
pub fn deliver(w: &World, msg: Msg, wire: &mut Vec<Msg>, t: &mut Tally) {
    t.delivered += 1;
    match msg {
        Msg::Push { dev, req } => {
            let answer = serve_push(w, dev, &req);
            wire.push(Msg::Pushed { dev, req, answer });
        }
        Msg::Pushed { dev, req, answer } => take_push_answer(w, dev, &req, &answer, t),
        Msg::Pull { dev, cursor } => {
            let page = onsite_server::sync::pull(&w.db, &w.devices[dev].user, cursor)
                .expect("the server answers a pull");
            wire.push(Msg::Page { dev, page });
        }
        Msg::Page { dev, page } => take_page(w, dev, &page),
    }
}

/// With the faults over: every phone pushes until its outbox is empty and pulls every page,
/// twice over, so each has seen what the others sent.
pub fn quiesce(w: &World, t: &mut Tally) {
    for _ in 0..2 {
        for dev in 0..w.devices.len() {
            let mut sends = 0;
            while let Some(req) = push_request(w, dev) {
                sends += 1;
                assert!(sends < 10, "device {dev}'s outbox does not drain");
                let answer = serve_push(w, dev, &req);
                take_push_answer(w, dev, &req, &answer, t);
            }
            w.pull_all(dev);
        }
    }
}
