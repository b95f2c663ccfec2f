import ArgumentParser

/// `wirewatch`: the operator's command line for a running `wirewatchd`.
@main
struct Wirewatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wirewatch",
        abstract: "Send articles to wirewatchd, watch its results, and analyze articles offline.",
        discussion: """
            Commands that talk to the daemon read the daemon's own configuration file (--config, default \
            /etc/wirewatch/wirewatch.yaml when it exists) to find its endpoints; flags override single endpoints.

            Exit status: 0 on success; 1 when the command could not do all it was asked (an article not \
            acknowledged, an unknown id, a timeout); 64 on a usage error.
            """,
        subcommands: [
            Send.self, Tail.self, Analyze.self, Inspect.self, Stats.self, Bench.self, Evaluate.self, CheckConfig.self,
            Keygen.self,
            TrainNER.self,
        ]
    )
}
