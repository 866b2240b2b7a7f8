// The app target's entry point. Not part of the Swift package: create an iOS App target in
// Xcode, add the package (File > Add Package Dependencies > Add Local... > ios/), link
// OnsiteUI, and use this file as the app's only source.
import SwiftUI
import OnsiteKit
import OnsiteUI

@main
struct OnsiteApp: App {
    @State private var onsite: Result<Onsite, Error>?

    var body: some Scene {
        WindowGroup {
            switch onsite {
            case .none:
                // Opening may upgrade the schema: never on the main thread.
                ProgressView().task { onsite = await Result { try await Onsite.openForApp() } }
            case let .success(onsite)?:
                JobsView(onsite: onsite)
            case let .failure(error)?:
                Text(Problem(error).message).padding()
            }
        }
    }
}

private extension Result where Failure == Error {
    /// `Result(catching:)` for async bodies.
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
