import Testing

@testable import Analysis

@Suite struct ThemeTests {
    @Test func sportsReportIsSport() {
        let text = """
            The striker scored twice in the second half as the home team won the cup final 3-1. The coach praised \
            his players after the match, and the goalkeeper saved a penalty before fans celebrated in the stadium. \
            The club now leads the league by four points with six matches of the season left.
            """
        let themes = ThemeClassifier.shared.themes(Document(text: text))
        #expect(themes.first?.code == "medtop:15000000")
        #expect(themes.first?.label == "sport")
    }

    @Test func earningsReportIsEconomy() {
        let text = """
            Shares in the carmaker fell 4% after the company reported a drop in quarterly profits. Revenue rose to \
            $2.1bn but costs climbed, the chief executive told investors. Analysts expect the central bank to keep \
            interest rates on hold as inflation eases and economic growth slows.
            """
        let themes = ThemeClassifier.shared.themes(Document(text: text))
        #expect(themes.first?.code == "medtop:04000000")
    }

    @Test func scoresAreBoundedSortedAndFew() {
        let text = """
            Troops shelled the city as the ceasefire collapsed, and the prime minister called an emergency cabinet \
            meeting. Parliament will vote on sanctions, while hospitals treated hundreds of wounded patients.
            """
        let themes = ThemeClassifier.shared.themes(Document(text: text))
        #expect(!themes.isEmpty)
        #expect(themes.count <= 4)
        #expect(themes.allSatisfy { $0.score > 0 && $0.score <= 1 })
        #expect(themes.map(\.score) == themes.map(\.score).sorted(by: >))
        #expect(themes.contains { $0.code == "medtop:16000000" })
    }

    @Test func everyTopLevelTopicIsLoaded() {
        let codes = Set(ThemeClassifier.shared.topics.map(\.code))
        #expect(codes.count == 17)
        for number in 1...17 {
            #expect(codes.contains("medtop:\(number < 10 ? "0" : "")\(number)000000"))
        }
    }

    @Test func emptyAndTopiclessTextsHaveNoThemes() {
        #expect(ThemeClassifier.shared.themes(Document(text: "")).isEmpty)
        #expect(ThemeClassifier.shared.themes(Document(text: "The of and to, a in is it.")).isEmpty)
    }
}
