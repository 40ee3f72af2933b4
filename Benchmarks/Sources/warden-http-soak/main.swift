// warden-http-soak: many requests through one CurlClient, printing resident memory per
// batch, so a leak shows as growth. Its own executable with no other dependency, so it can be
// built with LeakSanitizer quickly (docs/PERFORMANCE.md):
//
//   swift build -c debug --sanitize=address --product warden-http-soak
//   warden-http-soak URL [--requests N]
import Foundation
import WardenHTTP

var arguments = Array(CommandLine.arguments.dropFirst())
var requests = 10_000
if let i = arguments.firstIndex(of: "--requests"), i + 1 < arguments.count {
    requests = Int(arguments[i + 1]) ?? requests
    arguments.removeSubrange(i...(i + 1))
}
guard let url = arguments.first else {
    FileHandle.standardError.write(Data("usage: warden-http-soak URL [--requests N]\n".utf8))
    exit(2)
}
await soak(url: url, requests: requests)

/// Many requests through one client, printing the process's resident memory as it goes:
/// a leak shows as growth from batch to batch; a LeakSanitizer build also reports, at exit,
/// any allocation nothing points to any more.
func soak(url: String, requests: Int) async {
    do {
        let client = try CurlClient()
        let batch = max(1, requests / 10)
        var done = 0
        print("soak: \(requests) requests to \(url) (GET, POST with a body, a 404, a refused connection every 100)")
        while done < requests {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<batch {
                    group.addTask {
                        switch index % 100 {
                        case 0:
                            _ = try? await client.send(HTTPRequest(url: "http://127.0.0.1:1/refused"))
                        case 1...30:
                            _ = try await client.send(HTTPRequest(method: "POST", url: url, body: Data(repeating: 0x61, count: 2048)))
                        case 31...35:
                            _ = try await client.send(HTTPRequest(url: url + "/missing-\(index)"))
                        default:
                            _ = try await client.send(HTTPRequest(url: url))
                        }
                    }
                    if index >= 16 { try await group.next() }  // at most 16 in flight
                }
                try await group.waitForAll()
            }
            done += batch
            print("  after \(done) requests: RSS \(residentKilobytes()) KB")
        }
        client.shutdown()
    } catch {
        FileHandle.standardError.write(Data("warden-http-soak: \\(error)\\n".utf8))
        exit(1)
    }
}

func residentKilobytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    return 0
}
