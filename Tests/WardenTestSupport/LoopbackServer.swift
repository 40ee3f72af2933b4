import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A request as the test server received it.
public struct RecordedRequest: Sendable {
    public var method: String
    public var uri: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Which connection (1, 2, ...) carried it.
    public var connection: Int

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// What the test server answers.
public struct TestResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Wait this long before sending anything.
    public var delay: TimeAmount
    /// Send the body in pieces of this size, this far apart (chunked, no Content-Length).
    public var trickle: (bytes: Int, every: TimeAmount)?

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = [], delay: TimeAmount = .zero, trickle: (bytes: Int, every: TimeAmount)? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.trickle = trickle
    }

    public static func text(_ text: String, status: Int = 200, headers: [(name: String, value: String)] = []) -> TestResponse {
        TestResponse(status: status, headers: [("Content-Type", "text/plain")] + headers, body: Array(text.utf8))
    }
}

/// A real HTTP/1.1 server on 127.0.0.1 and a random port, optionally over TLS, for tests
/// of code that talks HTTP: it records every request and counts connections.
public final class LoopbackServer: @unchecked Sendable {
    public let port: Int
    public let isTLS: Bool
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let handler: @Sendable (RecordedRequest) -> TestResponse
    private let lock = NSLock()
    private var recorded: [RecordedRequest] = []
    private var connections = 0

    /// Starts listening. `handler` runs on the server's event loop: keep it quick.
    public init(tls: NIOSSLContext? = nil, handler: @escaping @Sendable (RecordedRequest) -> TestResponse) async throws {
        self.handler = handler
        isTLS = tls != nil
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let box = ServerBox()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 512)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let server = box.server else { throw ChannelError.ioOnClosedChannel }
                    let number = server.newConnection()
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(server: server, connection: number))
                }
            }
        do {
            channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        port = channel.localAddress?.port ?? 0
        box.server = self
    }

    /// `http://127.0.0.1:PORT` (or https).
    public var baseURL: String { "\(isTLS ? "https" : "http")://127.0.0.1:\(port)" }

    public var requests: [RecordedRequest] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    /// Connections accepted so far.
    public var connectionCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return connections
    }

    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    fileprivate func newConnection() -> Int {
        lock.lock()
        defer { lock.unlock() }
        connections += 1
        return connections
    }

    fileprivate func receive(_ request: RecordedRequest) -> TestResponse {
        lock.lock()
        recorded.append(request)
        lock.unlock()
        return handler(request)
    }
}

/// Lets the channel initializer reach the server once it exists.
private final class ServerBox: @unchecked Sendable {
    private let lock = NSLock()
    private weak var stored: LoopbackServer?

    var server: LoopbackServer? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return stored
        }
        set {
            lock.lock()
            stored = newValue
            lock.unlock()
        }
    }
}

private final class RecordingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: LoopbackServer
    private let connection: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(server: LoopbackServer, connection: Int) {
        self.server = server
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            self.head = nil
            let request = RecordedRequest(
                method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body, connection: connection)
            let response = server.receive(request)
            let keepAlive = head.isKeepAlive
            let loop = context.eventLoop.assumeIsolated()
            if response.delay > .zero {
                loop.scheduleTask(in: response.delay) { self.send(response, keepAlive: keepAlive, version: head.version, context: context) }
            } else {
                send(response, keepAlive: keepAlive, version: head.version, context: context)
            }
        }
    }

    private func send(_ response: TestResponse, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        if response.trickle == nil { headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count)) }
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        guard let trickle = response.trickle else {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
            finish(keepAlive: keepAlive, context: context)
            return
        }
        context.flush()
        sendPiece(response.body[...], trickle: trickle, keepAlive: keepAlive, context: context)
    }

    private func sendPiece(_ rest: ArraySlice<UInt8>, trickle: (bytes: Int, every: TimeAmount), keepAlive: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        guard !rest.isEmpty else {
            finish(keepAlive: keepAlive, context: context)
            return
        }
        let piece = rest.prefix(trickle.bytes)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: piece)))), promise: nil)
        context.eventLoop.assumeIsolated().scheduleTask(in: trickle.every) {
            self.sendPiece(rest.dropFirst(piece.count), trickle: trickle, keepAlive: keepAlive, context: context)
        }
    }

    private func finish(keepAlive: Bool, context: ChannelHandlerContext) {
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
        if !keepAlive {
            promise.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
