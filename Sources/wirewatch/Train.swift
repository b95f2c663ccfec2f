import Analysis
import ArgumentParser
import Foundation
import WirewatchService

/// `wirewatch train-ner`: rebuilds Resources/ner.model from labelled sentences, reproducibly.
struct TrainNER: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-ner",
        abstract: "Train the entity tagger (averaged perceptron over BIO tags) and write its model file.",
        discussion: """
            Reads JSON Lines sentences in the schema of shared/data/ner-gmb-train.jsonl, holds out every 20th \
            sentence to print F1 after each epoch, and writes the quantized, pruned weights. The same data, \
            seed and resources (the alias and demonym tables, the person-name list and the gazetteer, whose \
            words are features) give the same file; retrain after changing any of them.

            Example:
              swift run -c release --static-swift-stdlib wirewatch train-ner \\
                --data ../shared/data/ner-gmb-train.jsonl --output Sources/Analysis/Resources/ner.model
            """
    )

    @Option(name: .long, help: ArgumentHelp("The labelled training sentences.", valueName: "file"))
    var data: String

    @Option(name: .long, help: ArgumentHelp("Where to write the model.", valueName: "file"))
    var output: String

    @Option(name: .long, help: "Passes over the training data.")
    var epochs = 5

    @Option(name: .long, help: "Seed of the example order.")
    var seed: UInt64 = 7

    @Option(name: .long, help: "Hash features into 2^bits buckets (12 bytes a bucket in memory, 22 in the model file).")
    var bits = EntityModel.defaultBits

    @Option(
        name: .long,
        help: ArgumentHelp("Then score the model on this labelled file, as `evaluate --task ner` does.", valueName: "file"))
    var evaluate: String?

    @Flag(name: .long, help: "Do not train: score the model already at --output on --evaluate.")
    var skipTraining = false

    func run() throws {
        // The shipped model's problems do not matter here: this command writes or reads the one at --output.
        let problems = Analyzer.warmUp().filter { $0.resource != "ner.model" }
        // A model trained without one of its word lists learns no weights for features the daemon will read:
        // refused, where scoring goes on without one and says so.
        if !self.skipTraining,
            let problem = problems.first(where: { EntityModel.featureResources.contains($0.resource) })
        {
            throw Failure("\(problem); not training a model without it")
        }
        warnAboutUnusableResources(problems)
        let model: EntityModel
        if self.skipTraining {
            model = try EntityModel(data: Data(contentsOf: URL(fileURLWithPath: self.output)))
        } else {
            let trainer = EntityTrainer(epochs: self.epochs, seed: self.seed, bits: self.bits)
            model = try trainer.train(file: self.data) { line in
                // Progress goes to stderr unbuffered, so a long run shows each epoch as it ends.
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            let data = model.serialized()
            try data.write(to: URL(fileURLWithPath: self.output))
            print("wrote \(self.output): \(model.featureCount) buckets used, \(data.count) bytes")
        }
        if let file = self.evaluate {
            let recognizer = EntityRecognizer(model: model, lexicon: .shared)
            print(try NEREvaluation.run(file: file, recognizer: recognizer).text(file: file))
        }
    }
}
