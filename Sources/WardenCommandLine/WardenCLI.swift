import ArgumentParser
import Foundation
import WardenDefaults

/// Where a command reads and writes. Production uses the process's standard streams; tests
/// run commands in-process with their own.
public struct Console: Sendable {
    public var write: @Sendable (String) -> Void
    public var writeError: @Sendable (String) -> Void
    public var standardInput: FileHandle
    public var standardInputIsTerminal: Bool
    public var standardOutputIsTerminal: Bool
    public var environment: [String: String]

    public init(
        write: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void,
        standardInput: FileHandle, standardInputIsTerminal: Bool, standardOutputIsTerminal: Bool, environment: [String: String]
    ) {
        self.write = write
        self.writeError = writeError
        self.standardInput = standardInput
        self.standardInputIsTerminal = standardInputIsTerminal
        self.standardOutputIsTerminal = standardOutputIsTerminal
        self.environment = environment
    }

    /// The process's own standard streams.
    public static var process: Console {
        Console(
            write: { FileHandle.standardOutput.write(Data($0.utf8)) },
            writeError: { FileHandle.standardError.write(Data($0.utf8)) },
            standardInput: .standardInput,
            standardInputIsTerminal: isatty(0) == 1,
            standardOutputIsTerminal: isatty(1) == 1,
            environment: ProcessInfo.processInfo.environment)
    }

    @TaskLocal public static var current: Console = .process
}

/// A problem with the command line or its input: reported in one line, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The `warden` command.
public enum WardenCLI {
    /// Runs `warden` with the process's arguments and exits with its status.
    public static func main() async {
        signal(SIGPIPE, SIG_IGN)
        let status = await run(Array(CommandLine.arguments.dropFirst()))
        exit(status)
    }

    /// Runs `warden` with `arguments` on `console`; returns the exit status: 0 fine,
    /// 1 a check failed (`--fail-on`, invalid configuration), 2 bad usage or input.
    public static func run(_ arguments: [String], console: Console = .process) async -> Int32 {
        await Console.$current.withValue(console) {
            do {
                var command = try WardenCommand.parseAsRoot(arguments)
                if var asyncCommand = command as? AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
                return 0
            } catch let error as UsageError {
                console.writeError("warden: \(error.description)\n")
                return 2
            } catch let error as ExitCode {
                return error.rawValue
            } catch {
                let code = WardenCommand.exitCode(for: error)
                let message = WardenCommand.fullMessage(for: error)
                if code == .success {
                    if !message.isEmpty { console.write(message + "\n") }
                    return 0
                }
                if !message.isEmpty { console.writeError(message + "\n") }
                // Parse and validation errors are usage errors.
                return code.rawValue == 1 ? 1 : 2
            }
        }
    }
}

struct WardenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "Routes merge requests that touch security-sensitive code to senior reviewers.",
        version: WardenDefaults.version,
        subcommands: [CheckCommand.self, ServeCommand.self, ConfigCommand.self, DeliveriesCommand.self])
}
