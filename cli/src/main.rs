//! `onsite`: the engineer's client in the terminal, over `onsite-core`. Every engineer action is
//! a subcommand on a store file; tables for people, `--json` for scripts; an error is one line
//! on stderr and a non-zero exit code. `RUST_LOG` (e.g. `info`) turns on the log on stderr: the
//! sync rounds, and in `demo` the server's requests too.

mod args;
mod demo;
mod render;

use std::process::ExitCode;

use chrono::{Duration, FixedOffset, Local, Offset, TimeZone};
use clap::Parser;
use onsite_core::Store;
use onsite_core::report::money;
use onsite_core::seed::{self, SeedPlan};
use onsite_core::visit::findings::NewDiagnosis;
use onsite_core::visit::signoff::Stroke;
use onsite_core::visit::work::{Billing, NewPartLine, PartDirection};
use onsite_core::work_orders::status::Role;
use serde::Serialize;
use uuid::Uuid;

use args::{Cli, Command, PassFail};

/// What can stop a command.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}")]
    Core(#[from] onsite_core::Error),
    #[error("{0}")]
    Input(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

struct Ctx {
    store: Store,
    json: bool,
    offset: FixedOffset,
}

impl Ctx {
    fn job(&self, job: &str) -> Result<Uuid, CliError> {
        Ok(self.store.find_work_order(job)?.id)
    }

    fn offset_minutes(&self) -> i32 {
        self.offset.local_minus_utc() / 60
    }

    /// Prints `value` as JSON, or as text for people.
    fn emit<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce(&T) -> String,
    ) -> Result<(), CliError> {
        if self.json {
            let text = serde_json::to_string_pretty(value)
                .map_err(|e| CliError::Input(format!("cannot print JSON: {e}")))?;
            println!("{text}");
        } else {
            println!("{}", human(value));
        }
        Ok(())
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let offset = match cli.utc_offset {
        Some(minutes) => minutes
            .checked_mul(60)
            .and_then(FixedOffset::east_opt)
            .ok_or_else(|| CliError::Input(format!("--utc-offset {minutes} is not a time zone")))?,
        None => Local::now().offset().fix(),
    };
    // The demo hosts the server, so its failures reach stderr as the server's would (warnings
    // and errors); elsewhere the log is opt-in with RUST_LOG, so a failing command's stderr stays
    // its one error line. Logs go to stderr: stdout is the command's output.
    let demo = matches!(cli.command, Command::Demo { .. });
    if demo || std::env::var_os("RUST_LOG").is_some() {
        onsite_server::logging::init(onsite_server::logging::LogFormat::Text, "warn");
    }
    if let Command::Demo { keep } = &cli.command {
        return demo::run(keep.as_deref(), offset);
    }
    let ctx = Ctx {
        store: Store::open(&cli.db)?,
        json: cli.json,
        offset,
    };
    let store = &ctx.store;
    match cli.command {
        Command::Demo { .. } => Ok(()),
        Command::Seed {
            jobs,
            per_day,
            history,
            engineer,
            seed,
        } => {
            let today = (store.now() + Duration::minutes(ctx.offset_minutes().into())).date_naive();
            let summary = seed::seed(
                store,
                &SeedPlan {
                    work_orders: jobs,
                    jobs_per_day: per_day,
                    earlier_visits: history,
                    today,
                    assignee: engineer,
                    seed,
                },
            )?;
            if !ctx.json {
                println!(
                    "Seeded {} customers with {} open jobs and {} earlier visits into {}.\n",
                    summary.customers,
                    summary.work_orders,
                    summary.earlier_visits,
                    cli.db.display()
                );
            }
            let jobs = store.todays_jobs(ctx.offset_minutes())?;
            ctx.emit(&jobs, |j| render::jobs(j, ctx.offset))
        }
        Command::Jobs { date } => {
            let jobs = match date {
                // Another day may be on the other side of a daylight-saving change.
                Some(day) => {
                    let minutes = match cli.utc_offset {
                        Some(minutes) => minutes,
                        None => local_offset_minutes_on(day),
                    };
                    store.jobs_for_day(day, minutes)?
                }
                None => store.todays_jobs(ctx.offset_minutes())?,
            };
            ctx.emit(&jobs, |j| render::jobs(j, ctx.offset))
        }
        Command::Show { job } => {
            let detail = store.job_detail(ctx.job(&job)?)?;
            ctx.emit(&detail, |d| render::detail(d, ctx.offset))
        }
        Command::Status { job, to, reason } => {
            // This is the engineer's client: it acts with the engineer's authority only.
            let change = store.set_status(ctx.job(&job)?, to.parse()?, Role::Engineer, reason)?;
            ctx.emit(&change, |c| format!("{job}: {} -> {}", c.from, c.to))
        }
        Command::Diagnose {
            job,
            symptom,
            cause,
            codes,
        } => {
            let d = store.add_diagnosis(
                ctx.job(&job)?,
                NewDiagnosis {
                    symptom,
                    cause,
                    error_codes: codes,
                },
            )?;
            ctx.emit(&d, |d| {
                format!(
                    "Diagnosis recorded: {} ({})",
                    d.cause,
                    d.error_codes.join(", ")
                )
            })
        }
        Command::Measure {
            job,
            name,
            value,
            unit,
        } => {
            let m = store.add_measurement(ctx.job(&job)?, name, value, unit)?;
            ctx.emit(&m, |m| {
                format!("Measurement recorded: {} = {} {}", m.name, m.value, m.unit)
            })
        }
        Command::Checklist { job } => {
            let visit = store.visit_record(ctx.job(&job)?)?;
            ctx.emit(&visit.checklist, |c| render::checklist(c))
        }
        Command::Check {
            job,
            item,
            result,
            note,
        } => {
            let r = store.record_checklist_result(ctx.job(&job)?, &item, result.parse()?, note)?;
            ctx.emit(&r, |r| format!("Checklist: {} = {}", r.item_key, r.result))
        }
        Command::Note { job, text } => {
            let n = store.add_note(ctx.job(&job)?, text)?;
            ctx.emit(&n, |_| "Note added.".to_owned())
        }
        Command::Time {
            job,
            kind,
            minutes,
            start,
            end,
        } => {
            let (start, end) = match (minutes, start, end) {
                (Some(m), _, _) => {
                    let span = Duration::try_minutes(m)
                        .filter(|d| *d < Duration::days(7))
                        .ok_or_else(|| {
                            CliError::Input(format!("--minutes {m} is more than a week"))
                        })?;
                    (store.now() - span, store.now())
                }
                (None, Some(s), Some(e)) => (s.to_utc(), e.to_utc()),
                _ => {
                    return Err(CliError::Input(
                        "give --minutes, or --start and --end".into(),
                    ));
                }
            };
            let t = store.add_time_entry(ctx.job(&job)?, kind.parse()?, start, end)?;
            ctx.emit(&t, |t| {
                format!("Time recorded: {} min {}", t.minutes(), t.kind)
            })
        }
        Command::Part {
            job,
            part_number,
            description,
            qty,
            removed,
            serial_in,
            serial_out,
            chargeable,
            price,
        } => {
            let p = store.add_part_line(
                ctx.job(&job)?,
                NewPartLine {
                    direction: if removed {
                        PartDirection::Removed
                    } else {
                        PartDirection::Installed
                    },
                    part_number,
                    description,
                    quantity: qty,
                    serial_in,
                    serial_out,
                    billing: if chargeable {
                        Billing::Chargeable
                    } else {
                        Billing::Warranty
                    },
                    unit_price_cents: parse_money(&price)?,
                },
            )?;
            ctx.emit(&p, |p| {
                format!(
                    "Part {}: {} x {} {} ({}, {})",
                    p.direction,
                    p.quantity,
                    p.part_number,
                    p.description,
                    p.billing,
                    money(p.unit_price_cents)
                )
            })
        }
        Command::Quote {
            job,
            description,
            price,
            qty,
        } => {
            let q = store.add_quote_line(ctx.job(&job)?, description, qty, parse_money(&price)?)?;
            ctx.emit(&q, |q| {
                format!(
                    "Quote line: {} x {} at {}",
                    q.quantity,
                    q.description,
                    money(q.unit_price_cents)
                )
            })
        }
        Command::Approve { job, name } => decide(&ctx, &job, true, name),
        Command::Decline { job, name } => decide(&ctx, &job, false, name),
        Command::Test { job, result, notes } => {
            let t = store.record_function_test(
                ctx.job(&job)?,
                matches!(result, PassFail::Pass),
                notes,
            )?;
            ctx.emit(&t, |t| {
                format!(
                    "Function test: {}",
                    if t.passed { "passed" } else { "FAILED" }
                )
            })
        }
        Command::Sign {
            job,
            name,
            strokes,
            demo_signature,
        } => {
            let strokes: Vec<Stroke> = match strokes {
                Some(path) => {
                    let text = std::fs::read_to_string(&path).map_err(|e| {
                        CliError::Input(format!("cannot read {}: {e}", path.display()))
                    })?;
                    serde_json::from_str(&text).map_err(|e| {
                        CliError::Input(format!("{} is not a strokes file: {e}", path.display()))
                    })?
                }
                None if demo_signature => vec![seed::demo_signature()],
                None => {
                    return Err(CliError::Input(
                        "give --strokes FILE or --demo-signature".into(),
                    ));
                }
            };
            let s = store.sign_off(ctx.job(&job)?, name, strokes)?;
            ctx.emit(&s, |s| {
                format!(
                    "Signed by {} (report sha256 {})",
                    s.signer_name, s.report_sha256
                )
            })
        }
        Command::Visit { job } => {
            let v = store.visit_record(ctx.job(&job)?)?;
            ctx.emit(&v, |v| render::visit(v, ctx.offset))
        }
        Command::Missing { job } => {
            let missing = store.missing_for_completion(ctx.job(&job)?)?;
            ctx.emit(&missing, |m| render::missing(m))
        }
        Command::Report { job, canonical } => {
            let view = store.service_report(ctx.job(&job)?)?;
            if canonical {
                println!("{}", view.report.canonical_json()?);
                return Ok(());
            }
            ctx.emit(&view, render::report)
        }
        Command::Login { server, token } => {
            store.sign_in(&server, &token)?;
            ctx.emit(&serde_json::json!({ "server": server }), |_| {
                format!("This store now syncs with {server}.")
            })
        }
        Command::Sync => {
            let session = store.session()?.ok_or_else(|| {
                CliError::Input("not signed in: run `onsite login SERVER TOKEN` first".into())
            })?;
            let report =
                onsite_core::sync::client::SyncClient::new(&session.server_url, &session.token)?
                    .sync_now(store)?;
            ctx.emit(&report, render::sync_report)
        }
        Command::Pending => {
            let count = store.pending_sync_count()?;
            ctx.emit(&serde_json::json!({ "pending": count }), |_| {
                format!("{count} changes waiting to sync")
            })
        }
        Command::Conflicts { all } => {
            let log = store.conflicts(all)?;
            ctx.emit(&log, |l| render::conflicts(l, ctx.offset))
        }
        Command::Seen { id } => {
            store.mark_conflict_seen(id)?;
            ctx.emit(&serde_json::json!({ "seen": id }), |_| {
                "Marked as seen.".to_owned()
            })
        }
    }
}

fn decide(ctx: &Ctx, job: &str, approved: bool, name: String) -> Result<(), CliError> {
    let d = ctx.store.decide_quote(ctx.job(job)?, approved, name)?;
    ctx.emit(&d, |d| {
        format!(
            "{} {} by {}",
            if d.approved { "Approved" } else { "Declined" },
            money(d.total_cents),
            d.signer_name
        )
    })
}

/// This machine's UTC offset, in minutes, at noon on `day`.
fn local_offset_minutes_on(day: chrono::NaiveDate) -> i32 {
    let noon =
        day.and_time(chrono::NaiveTime::from_hms_opt(12, 0, 0).expect("noon is a valid time"));
    Local
        .from_local_datetime(&noon)
        .earliest()
        .map_or(0, |t| t.offset().fix().local_minus_utc() / 60)
}

/// "64.90" → 6490 cents. At most two decimals; no thousands separators.
fn parse_money(text: &str) -> Result<i64, CliError> {
    let bad = || CliError::Input(format!("{text:?} is not an amount like 64.90"));
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .map(|c| sign * c)
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::parse_money;

    #[test]
    fn money_parses_to_cents() {
        for (text, cents) in [
            ("64.90", 6490),
            ("0", 0),
            ("12", 1200),
            ("0.5", 50),
            ("-1.25", -125),
        ] {
            assert_eq!(parse_money(text).ok(), Some(cents), "{text}");
        }
        for bad in ["", ".5", "1.234", "1,50", "abc", "99999999999999999999"] {
            assert!(parse_money(bad).is_err(), "{bad}");
        }
    }
}
