import Configuration
import Foundation
import Logging
import Metrics
import Prometheus

/// Process-wide set-up that only a `main` may do: logging and metrics backends.
public enum Bootstrap {
    /// Sends logs to stderr in the configured format and level. Call once, first thing.
    public static func logging(level: String, format: String) {
        LiveLogLevel.current = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            if format == "text" { return TextLogHandler(inner: StreamLogHandler.standardError(label: label)) }
            return JSONLogHandler(label: label)
        }
    }

    /// Routes swift-metrics to a Prometheus registry served on `/metrics`.
    public static func metrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}

/// A command-line flag's value, as an override of one configuration key.
public enum ConfigOverride {
    public static func string(_ value: String) -> ConfigContent { .string(value) }
    public static func strings(_ values: [String]) -> ConfigContent { .stringArray(values) }
    public static func int(_ value: Int) -> ConfigContent { .int(value) }
}
