import Foundation
import Testing

@testable import WardenCommandLine

@Suite("warden serve and deliveries: bad input")
struct ServeCommandTests {
    @Test func anInvalidConfigurationIsReportedWithItsLinesAndExit2() async throws {
        let path = try temporaryFile(
            "warden.yml",
            """
            server: { host: 127.0.0.1, port: 8080 }
            github:
              api_url: https://api.github.com
              webhook_secret: "s3cr3t-written-inline"
            """)
        let run = await CapturedRun.run(["serve", "--config", path])
        #expect(run.status == 2)
        #expect(run.standardError.contains("warden.yml:4"))
        #expect(run.standardError.contains("github.webhook_secret must not be written in the config"))
        // The inline value is a secret: it is not repeated back.
        #expect(!run.standardError.contains("s3cr3t-written-inline"))
        #expect(run.standardOutput.isEmpty)
    }

    @Test func anUnreadableConfigurationFileIsNamed() async {
        let run = await CapturedRun.run(["serve", "--config", "/nonexistent/warden.yml"])
        #expect(run.status == 2)
        #expect(run.standardError.contains("cannot read the configuration file /nonexistent/warden.yml"))
    }

    @Test func deliveriesWithoutAStoreSaySo() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warden-cli-\(UUID().uuidString)").path
        let path = try temporaryFile("warden.yml", "store: { url: \"sqlite:\(folder)/data/warden.sqlite\" }\n")
        let list = await CapturedRun.run(["deliveries", "list", "--config", path])
        #expect(list.status == 2)
        #expect(list.standardError.contains("no store at \(folder)/data/warden.sqlite"))
        let replay = await CapturedRun.run(["deliveries", "replay", "7", "--config", path])
        #expect(replay.status == 2)
        #expect(!FileManager.default.fileExists(atPath: folder + "/data/warden.sqlite"))
    }
}
