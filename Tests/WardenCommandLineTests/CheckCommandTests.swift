import Foundation
import Testing

@testable import WardenCommandLine

/// Runs `warden` in-process and collects what it writes.
final class CapturedRun: @unchecked Sendable {
    private let lock = NSLock()
    private var out = ""
    private var err = ""
    var status: Int32 = -1

    var standardOutput: String { lock.withLock { out } }
    var standardError: String { lock.withLock { err } }

    static func run(_ arguments: [String], stdin: Data = Data(), environment: [String: String] = [:]) async -> CapturedRun {
        let captured = CapturedRun()
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("warden-stdin-\(UUID().uuidString)")
        try? stdin.write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let handle = FileHandle(forReadingAtPath: input.path) ?? .nullDevice
        let console = Console(
            write: { text in captured.lock.withLock { captured.out += text } },
            writeError: { text in captured.lock.withLock { captured.err += text } },
            standardInput: handle, standardInputIsTerminal: false, standardOutputIsTerminal: false,
            environment: environment)
        captured.status = await WardenCLI.run(arguments, console: console)
        return captured
    }
}
