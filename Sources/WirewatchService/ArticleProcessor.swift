import Analysis
import Articles
import Dedup
import Foundation

/// The pipeline's per-article work, shared by the daemon and the offline `wirewatch analyze`:
/// decode → dedup (ordered) → analysis and envelope (parallel).
public struct ArticleProcessor: Sendable {
    public let limits: DecodeLimits
    let analyzer = Analyzer()

    public init(limits: DecodeLimits) {
        self.limits = limits
    }

    /// An article that passed validation and dedup, ready for the parallel stage.
    public struct Admitted: Sendable {
        public let article: Article
        public let verdict: DedupVerdict
        public let receivedAt: Date
    }

    /// The ordered step: decodes `payload` and asks `dedup` whether it was seen before.
    public func admit(_ payload: [UInt8], receivedAt: Date, dedup: inout DedupEngine) throws(DecodeError) -> Admitted {
        let article = try ArticleDecoder.decode(payload, limits: self.limits)
        let verdict = dedup.check(article, now: receivedAt)
        return Admitted(article: article, verdict: verdict, receivedAt: receivedAt)
    }

    /// The parallel step: analysis (for new articles) and the result envelope.
    public func envelope(for admitted: Admitted, seq: Int64?) -> ResultEnvelope {
        let article = admitted.article
        let analysis = admitted.verdict.isNew ? self.analyzer.analyze(article) : nil
        return ResultEnvelope(
            seq: seq,
            id: article.id,
            receivedAt: Timestamp.string(admitted.receivedAt),
            processedAt: Timestamp.string(Date()),
            dedup: admitted.verdict.info,
            article: ArticleInfo(
                url: article.url, canonicalURL: article.canonicalURL, title: article.title, source: article.source,
                publishedAt: article.publishedAtRaw, text: article.bodyWasHTML ? article.text : nil
            ),
            analysis: analysis
        )
    }

    /// The PUB topic of an envelope: `article.<lang>` for new articles, `duplicate` for copies.
    public static func topic(for envelope: ResultEnvelope) -> String {
        switch envelope.dedup.status {
        case .unique, .update: "article.\(envelope.analysis?.language.code ?? "und")"
        case .exact, .near: "duplicate"
        }
    }

    /// JSON as published: compact, slashes unescaped, keys in a stable order. Result envelopes are written by
    /// `EnvelopeWriter`, which gives the same bytes much faster; this serves the rarer messages.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }
}
