import CLinux
import Configuration
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Storage
import ZeroMQ

/// Builds the daemon from its configuration: the store, the ZeroMQ context and the service group, in start order
/// publisher → pipeline → replay → ingest → HTTP → systemd. Shutdown runs in reverse: ingest stops taking input,
/// the pipeline drains, the publisher sends what was journaled, and only then is the context terminated.
public struct Daemon: Sendable {
    public let config: WirewatchConfig
    public let store: Store
    public let state: DaemonState
    let context: Context
    let logger: Logger
    let security: SocketSecurity?

    public init(config: WirewatchConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        // Buffers of a megabyte or more (the dedup index's tables, rebuilt as each block of 65,536 articles merges,
        // and the open block's as it grows) are mapped and unmapped on their own. By default glibc raises that
        // threshold to the largest mapped buffer freed, after which such buffers come from the heap, and what they
        // leave there stayed resident: 150.4 MiB after a million articles, against 134.5 with the threshold fixed.
        mallopt(M_MMAP_THRESHOLD, 1 << 20)
        do {
            self.store = try Store(path: config.store.path, backgroundCheckpoints: true)
        } catch {
            throw ConfigError(key: "store.path", reason: "cannot open store '\(config.store.path)': \(error)")
        }
        self.context = try Context(ioThreads: 1)
        self.security = self.config.security.isEnabled ? try SocketSecurity(config.security) : nil
        self.state = DaemonState(dedup: config.dedup.settings)
        // Not ready until the pipeline has reached the shared memory, when there is one.
        self.state.sharedMemoryHealthy.store(config.store.postgres.isEmpty, ordering: .relaxed)
    }

    /// Runs until SIGTERM or SIGINT, then drains and returns. SIGHUP re-reads `configFile`.
    public func run(
        registry: PrometheusCollectorRegistry, configFile: String?, overrides: [String: ConfigContent] = [:]
    ) async throws {
        let workSignal = WorkSignal()
        let outbox = BlockingQueue<Outgoing>(capacity: 50_000)
        let rates = RateTracker()
        // Bound before any socket that asks it, so no client is ever admitted unchecked.
        let zap = try self.security.map { try ZAPHandler(context: self.context, security: $0, logger: self.logger) }
        if let security = self.security {
            self.logger.info(
                "CURVE on every bound socket",
                metadata: ["security.public_key": "\(security.publicKey)", "security.allowed_clients": "\(security.allowedClients.count)"])
        }
        var services: [any Service] = [
            // First, so it stops last: the drain's writes are checkpointed too.
            CheckpointService(store: self.store, logger: self.logger),
            PublisherService(
                context: self.context, config: self.config, store: self.store, state: self.state, outbox: outbox,
                logger: self.logger, security: self.security
            ),
            PipelineService(
                config: self.config, store: self.store, state: self.state, workSignal: workSignal, outbox: outbox,
                logger: self.logger
            ),
            ReplayService(
                context: self.context, config: self.config, store: self.store, state: self.state, rates: rates,
                logger: self.logger, security: self.security
            ),
            IngestService(
                context: self.context, config: self.config, store: self.store, state: self.state,
                workSignal: workSignal, logger: self.logger, security: self.security
            ),
        ]
        if !self.config.http.isEmpty {
            services.append(
                try HTTPEndpoints.application(
                    address: self.config.http, state: self.state, registry: registry, logger: self.logger
                )
            )
        }
        services.append(ReloadService(
            file: configFile, environment: ProcessInfo.processInfo.environment, overrides: overrides,
            running: self.config, state: self.state, logger: self.logger
        ))
        services.append(SystemdNotifier(state: self.state, rates: rates, expectedSockets: 3, logger: self.logger))
        let group = ServiceGroup(
            configuration: .init(
                // A service that ends, by error or not, takes the others down gracefully: drain, never abandon.
                services: services.map {
                    .init(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup
                    )
                },
                gracefulShutdownSignals: [.sigterm, .sigint],
                cancellationSignals: [],
                logger: self.logger
            )
        )
        defer {
            try? self.store.checkpoint()
            zap?.shutdown()
            self.context.terminate()
        }
        try await group.run()
    }
}
