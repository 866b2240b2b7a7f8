import SwiftUI
import OnsiteKit

/// Sync status (live from the core's loop), sign-in, "sync now", and the conflict log.
struct SyncView: View {
    @StateObject private var model: SyncModel
    @State private var serverUrl = "https://"
    @State private var token = ""

    init(onsite: Onsite) {
        _model = StateObject(wrappedValue: SyncModel(onsite: onsite))
    }

    var body: some View {
        List {
            if let problem = model.problem { ProblemView(problem: problem) { model.problem = nil } }
            if let status = model.status {
                Section("Status") {
                    Text(status.summary(now: Date()))
                    if let report = status.lastReport {
                        Text("Last round: \(report.pushed) sent, \(report.pulled) received, \(report.push.rejected) refused")
                    }
                    Button("Sync now") { model.syncNow() }
                }
            } else {
                Section("Sign in to sync") {
                    TextField("Server", text: $serverUrl).textInputAutocapitalization(.never).keyboardType(.URL)
                    SecureField("Token", text: $token)
                    Button("Sign in") { Task { await model.signIn(serverUrl: serverUrl, token: token) } }
                        .disabled(token.isEmpty)
                }
            }
            Section("Conflicts") {
                LoadableView(model.conflicts) { conflicts in
                    if conflicts.isEmpty { Text("None. Nothing you entered was overwritten or refused.") }
                    ForEach(conflicts, id: \.id) { conflict in
                        VStack(alignment: .leading) {
                            Text(conflict.entity + (conflict.field.map { ".\($0)" } ?? "")).font(.caption)
                            Text(conflict.reason)
                            Text("Yours: \(conflict.localValue ?? "—") · Server: \(conflict.remoteValue ?? "—") · kept \(conflict.kept == .local ? "yours" : "the server's")")
                                .foregroundStyle(.secondary)
                        }
                        .swipeActions { Button("Seen") { Task { await model.markSeen(conflict) } } }
                    }
                }
            }
        }
        .navigationTitle("Sync")
        // Cancelled when the view goes away (or restarted after a sign-in): the status stream
        // finishes and the core's observer handle stops.
        .task(id: model.session) { await model.follow() }
    }
}
