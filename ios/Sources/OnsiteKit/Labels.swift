import Foundation
import OnsiteBindings

// Short English texts shared by every screen (the same wording as the Android facade's
// Labels.kt); a localized app would swap these for string catalogs.

public extension Status {
    /// "On site", "Awaiting parts", ...
    var label: String {
        switch self {
        case .new: "New"
        case .assigned: "Assigned"
        case .accepted: "Accepted"
        case .enRoute: "En route"
        case .onSite: "On site"
        case .awaitingParts: "Awaiting parts"
        case .awaitingApproval: "Awaiting approval"
        case .completed: "Completed"
        case .incomplete: "Incomplete"
        case .cancelled: "Cancelled"
        }
    }
}

public extension Coverage {
    /// "Warranty until ...", "Contract Gold until ...", "Chargeable".
    var label: String {
        switch self {
        case let .warranty(endsOn): "Warranty until \(endsOn)"
        case let .contract(_, plan, endsOn, _, _): "Contract \(plan) until \(endsOn)"
        case .chargeable: "Chargeable"
        }
    }
}

/// Cents as "1,234.50" (money crosses the FFI as Int64 cents, never as a floating-point amount).
public func formatCents(_ cents: Int64) -> String {
    let sign = cents < 0 ? "-" : ""
    var digits = String(abs(cents / 100))
    var groups: [String] = []
    while digits.count > 3 {
        groups.insert(String(digits.suffix(3)), at: 0)
        digits.removeLast(3)
    }
    groups.insert(digits, at: 0)
    let fraction = abs(cents % 100)
    return "\(sign)\(groups.joined(separator: ",")).\(fraction < 10 ? "0" : "")\(fraction)"
}

/// A duration as "45 s", "3 min", "2 h".
public func formatAgo(ms: Int64) -> String {
    switch ms {
    case ..<60_000: "\(ms / 1000) s"
    case ..<3_600_000: "\(ms / 60_000) min"
    default: "\(ms / 3_600_000) h"
    }
}

public extension SyncStatus {
    /// One line for the sync bar, e.g. "Offline: connection refused · 3 waiting · retry in 8 s".
    func summary(now: Date) -> String {
        var parts: [String] = []
        var failing = false
        switch state {
        case .idle: parts.append(lastSuccess.map { "Synced \(formatAgo(ms: max(0, Int64(now.timeIntervalSince($0) * 1000)))) ago" } ?? "Not synced yet")
        case .syncing: parts.append("Syncing…")
        case let .offline(reason): parts.append("Offline: \(reason)"); failing = true
        case let .failed(reason): parts.append("Sync failed: \(reason)"); failing = true
        }
        if pending > 0 { parts.append("\(pending) waiting") }
        if failing { parts.append("retry in \(formatAgo(ms: Int64(clamping: nextRoundInMs)))") }
        return parts.joined(separator: " · ")
    }
}
