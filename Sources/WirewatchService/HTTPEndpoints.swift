import Hummingbird
import Logging
import Prometheus

/// `/metrics` (Prometheus text format), `/health` (the process answers) and `/ready` (sockets bound and the store
/// writable: 200, else 503) on the local HTTP address.
enum HTTPEndpoints {
    static func application(
        address: String, state: DaemonState, registry: PrometheusCollectorRegistry, logger: Logger
    ) throws -> some ApplicationProtocol {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw ConfigError(key: "http", reason: "'\(address)' is not HOST:PORT")
        }
        let host = String(address[..<colon])
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
        router.get("/health") { _, _ -> String in
            "ok\n"
        }
        router.get("/ready") { _, _ -> Response in
            let ready = state.isReady
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                body: .init(byteBuffer: ByteBuffer(string: ready ? "ready\n" : "not ready\n"))
            )
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "wirewatchd"),
            logger: logger
        )
    }
}
