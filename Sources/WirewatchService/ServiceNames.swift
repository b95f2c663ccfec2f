/// swift-service-lifecycle logs every service it starts with `String(describing:)`; a struct's default
/// description would dump the whole configuration into the journal, including the PostgreSQL URL (which may
/// carry a password) and key material. Each service names itself instead.
extension PublisherService: CustomStringConvertible { var description: String { "PublisherService" } }
extension PipelineService: CustomStringConvertible { var description: String { "PipelineService" } }
extension ReplayService: CustomStringConvertible { var description: String { "ReplayService" } }
extension IngestService: CustomStringConvertible { var description: String { "IngestService" } }
extension ReloadService: CustomStringConvertible { var description: String { "ReloadService" } }
extension SystemdNotifier: CustomStringConvertible { var description: String { "SystemdNotifier" } }
extension CheckpointService: CustomStringConvertible { var description: String { "CheckpointService" } }
