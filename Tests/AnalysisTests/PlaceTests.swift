import Analysis
import Articles
import Foundation
import Testing

@Suite("Places: toponyms found and geocoded with GeoNames")
struct PlaceTests {
    static let geocoder = Geocoder()

    static func locate(_ text: String) -> [LocationResult] {
        Self.geocoder.locate(Document(text: text))
    }

    static func place(_ name: String, in results: [LocationResult]) -> LocationResult? {
        results.first { $0.name == name }
    }

    @Test("the gazetteer loads with countries, admin1 regions and places")
    func gazetteerLoads() throws {
        let gazetteer = Gazetteer.shared
        #expect(gazetteer.entries.count > 200_000)
        let kabul = try #require(gazetteer.lookup("Kabul").first { $0.kind == .place })
        #expect(kabul.countryCode == "AF" && kabul.isCapital)
        #expect(gazetteer.country("PK")?.name == "Pakistan")
        #expect(gazetteer.admin1("US", "TX")?.name == "Texas")
        #expect(gazetteer.lookup("Zürich").contains { $0.countryCode == "CH" })
        // A region's point is the middle of its land, where towns crowd one side too: Ontario's are in the south,
        // and the middle of their box had put the province 200-300 km south of GeoNames' (49.25, -84.5) and
        // Wikipedia's (50, -85) points; England's, north-west of the Ordnance Survey's centre (52.56, -1.46).
        let ontario = try #require(gazetteer.admin1("CA", "08"))
        #expect(Geocoder.kilometres(ontario.lat, ontario.lon, 49.25, -84.5) < 161, "\(ontario)")
        #expect(Geocoder.kilometres(ontario.lat, ontario.lon, 50, -85) < 161, "\(ontario)")
        let england = try #require(gazetteer.admin1("GB", "ENG"))
        #expect(Geocoder.kilometres(england.lat, england.lon, 52.56, -1.46) < 50, "\(england)")
        // A country of islands, none most of its land, is not placed at its largest island's middle: the
        // Philippines' point was in Luzon, 300 km north of both GeoNames' and Wikipedia's (13, 122).
        let philippines = try #require(gazetteer.country("PH"))
        #expect(Geocoder.kilometres(philippines.lat, philippines.lon, 13, 122) < 161, "\(philippines)")
        // Towns far from every other of their region own none of its land: GeoNames codes one Sichuan
        // town in Jiangsu, which had put Jiangsu's point 750 km west, in Hubei.
        let jiangsu = try #require(gazetteer.admin1("CN", "04"))
        #expect((30.7...35.1).contains(jiangsu.lat) && (116.3...121.9).contains(jiangsu.lon), "\(jiangsu)")
        // Nor do a few miscoded towns near each other: five Tibetan villages had put Hebei's point in Gansu, and a
        // cluster far west Heilongjiang's in Mongolia. Both within their provinces' bounds now.
        let hebei = try #require(gazetteer.admin1("CN", "10"))
        #expect((36.0...42.6).contains(hebei.lat) && (113.4...119.9).contains(hebei.lon), "\(hebei)")
        let heilongjiang = try #require(gazetteer.admin1("CN", "08"))
        #expect((43.4...53.6).contains(heilongjiang.lat) && (121.1...135.1).contains(heilongjiang.lon), "\(heilongjiang)")
    }

    @Test("the sample article's places, in their countries, with coordinates")
    func sampleArticle() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        url.appendPathComponent("shared/samples/seed-article.txt")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("../shared/samples/seed-article.txt is missing: the sample article test cannot run")
            return
        }
        let results = Self.locate(text)
        for (name, country) in [("Kabul", "AF"), ("Islamabad", "PK"), ("Peshawar", "PK"), ("Mashhad", "IR"),
                                ("Doha", "QA")] {
            let place = try #require(Self.place(name, in: results), "\(name) not found")
            #expect(place.countryCode == country, "\(name)")
            #expect(place.geonameid > 0 && place.lat != 0 && place.lon != 0, "\(name)")
        }
        let afghanistan = try #require(Self.place("Afghanistan", in: results))
        #expect(afghanistan.countryCode == "AF" && afghanistan.admin1 == nil && afghanistan.count > 3)
    }

    @Test("Paris alone is in France; Paris, Texas is in Texas")
    func paris() throws {
        let france = try #require(Self.place("Paris", in: Self.locate("The summit opened in Paris on a wet morning.")))
        #expect(france.countryCode == "FR")
        let results = Self.locate("The fair drew farmers to Paris, Texas, for the first time since the storm.")
        let texas = try #require(Self.place("Paris", in: results))
        #expect(texas.countryCode == "US" && texas.admin1 == "Texas")
        #expect(texas.mentions == [Mention(start: 25, end: 30)])
    }

    @Test("in a list of countries, a country's name before another's is the first country, not its namesake region")
    func countryList() throws {
        let results = Self.locate(
            "The campaign covers Benin, Ghana, Guinea-Bissau, Niger, Nigeria and Togo, where measles returned.")
        #expect(Self.place("Niger", in: results)?.countryCode == "NE", "\(results)")
        #expect(Self.place("Nigeria", in: results)?.countryCode == "NG")
        // Outside a list the comma still names the region: Niger State, Nigeria.
        let state = Self.locate("Floods hit Minna in Niger, Nigeria, last week.")
        #expect(Self.place("Niger", in: state)?.countryCode == "NG", "\(state)")
    }

    @Test("Georgia beside Tbilisi is the country, beside Atlanta the state")
    func georgia() throws {
        let country = Self.locate("Protesters marched through Tbilisi as Georgia weighed new elections.")
        #expect(Self.place("Georgia", in: country)?.countryCode == "GE")
        let state = Self.locate("Voters in Atlanta lined up for hours as Georgia counted ballots overnight.")
        let georgia = try #require(Self.place("Georgia", in: state))
        #expect(georgia.countryCode == "US" && georgia.geonameid > 0)
    }

    @Test("a region of the article's country is the region, not a town of its name in another named region")
    func regionsOfTheArticlesCountry() throws {
        let states = Self.locate(
            "Cases were reported in the United States, in Ohio, Oregon, Tennessee, Wyoming and Delaware.")
        for (name, admin1) in [("Oregon", "Oregon"), ("Wyoming", "Wyoming"), ("Delaware", "Delaware")] {
            let place = try #require(Self.place(name, in: states), "\(name)")
            #expect(place.countryCode == "US" && place.admin1 == admin1, "\(name): \(place)")
        }
        // A city named like a region keeps the city, as does a country named like another country's region.
        let cities = Self.locate("In Argentina, protests spread from Buenos Aires to Córdoba and Rosario.")
        let buenosAires = try #require(Self.place("Buenos Aires", in: cities))
        #expect(abs(buenosAires.lat - -34.6) < 0.2 && abs(buenosAires.lon - -58.4) < 0.2, "the city: \(buenosAires)")
        let niger = Self.locate("Nigeria closed its border with Niger after the coup, officials in Lagos and Abuja said.")
        #expect(Self.place("Niger", in: niger)?.countryCode == "NE")
    }

    @Test("world regions outrank small towns of their name: the Atlantic is not a town in Iowa")
    func worldRegions() throws {
        let results = Self.locate(
            "Storms over the Atlantic and the Pacific grounded flights across the United States, from Texas to Ohio.")
        for name in ["Atlantic", "Pacific"] {
            let region = try #require(Self.place(name, in: results), "\(name)")
            #expect(region.countryCode == nil && region.geonameid == 0, "\(name): \(region)")
        }
    }

    /// The place a name's first occurrence in `text` (ASCII) resolved to.
    static func reading(of name: String, in text: String) -> LocationResult? {
        guard let range = text.range(of: name) else { return nil }
        let start = text.distance(from: text.startIndex, to: range.lowerBound)
        return Self.locate(text).first { $0.mentions.contains { $0.start == start } }
    }

    @Test("a name the text calls a state, lists among states or names after a town of the state is the state",
        arguments: [
            ("The cow came from a Washington state farm, officials said.", "Washington"),
            ("The first case was found in the state of Washington in 2003.", "Washington"),
            ("Cases were reported in Utah, Washington and Wisconsin.", "Washington"),
            ("Cases were reported in Virginia, Washington, West Virginia and Wyoming.", "Washington"),
            ("Officials are investigating cases in Washington, Pennsylvania and California.", "Washington"),
            ("He played concerts in New Jersey and New York that winter.", "New York"),
            ("The girl came from Buffalo, New York, and died in hospital.", "New York"),
            ("A disaster has occurred throughout New York State, the governor said.", "New York"),
            // Any region the name after the comma may be: Blakely is a town of Georgia, the state.
            ("The recall began at a peanut plant in Blakely, Georgia, in January.", "Georgia"),
        ])
    func regionCues(text: String, name: String) throws {
        let place = try #require(Self.reading(of: name, in: text), "\(Self.locate(text).map(\.name))")
        #expect(place.name == name && place.admin1 == name && place.countryCode == "US", "\(place)")
    }

    @Test("without such words the city keeps its name, and a town's country stays a country", arguments: [
        ("The president returned to Washington on Monday after the summit.", "Washington", "Washington", "District of Columbia"),
        ("Shares fell in New York as the dollar rose.", "New York", "New York City", "New York"),
        ("He flew from Springfield, Illinois, and Columbus, Ohio, to the convention.", "Springfield", "Springfield", "Illinois"),
    ])
    func regionCuesLeaveCities(text: String, word: String, name: String, admin1: String) throws {
        let place = try #require(Self.reading(of: word, in: text), "\(Self.locate(text).map(\.name))")
        #expect(place.name == name && place.admin1 == admin1, "\(place)")
        let taiwan = try #require(Self.reading(of: "Taiwan", in: "The tower stands in Taipei, Taiwan, near the harbour."))
        #expect(taiwan.countryCode == "TW" && taiwan.admin1 == nil, "the country, not its province: \(taiwan)")
    }

    @Test("a province far larger than its namesake capital is what a Canadian article means; a big city keeps its name")
    func namesakeShare() throws {
        let quebec = try #require(
            Self.reading(
                of: "Quebec",
                in: "Quebec will hold an election in the spring, officials in Ottawa said. Canada's government declined to comment."))
        #expect(quebec.name == "Quebec" && quebec.admin1 == "Quebec", "the province, not Québec City: \(quebec)")
        // Towns of the province vouch for the province as much as for its capital.
        let beside = try #require(
            Self.reading(
                of: "Quebec",
                in: "Snow closed roads across Quebec, from Montreal to Sherbrooke, Canada's weather service said."))
        #expect(
            beside.name == "Quebec" && beside.geonameid == quebec.geonameid, "the province beside Montreal: \(beside)")
        let rio = try #require(
            Self.reading(of: "Rio de Janeiro", in: "Floods hit Rio de Janeiro and Belo Horizonte, Brazil's officials said."))
        #expect(rio.geonameid != 0 && rio.admin1 == "Rio de Janeiro", "the city: \(rio)")
    }

    @Test("a town the text places in a region it has no reading in is left out, unless it stands in a list")
    func contradictedTowns() throws {
        // The gazetteer knows Bradfords in England and the United States, none in Ontario.
        let court = Self.locate("He was released on a promise to appear in a Bradford, Ontario court on May 12.")
        #expect(Self.place("Bradford", in: court) == nil, "\(court.map { "\($0.name) \($0.admin1 ?? "")" })")
        #expect(Self.place("Ontario", in: court)?.countryCode == "CA")
        let breweries = Self.locate("It owns breweries in eight Russian cities: Klin, Ivanovo, Saransk, Kursk, Omsk and Perm.")
        #expect(Self.place("Saransk", in: breweries)?.countryCode == "RU", "\(breweries.map(\.name))")
        let draw = Self.locate("After a draw in Paris, Ireland face the Faroe Islands on Wednesday.")
        #expect(Self.place("Paris", in: draw)?.countryCode == "FR", "\(draw.map(\.name))")
    }

    @Test("regions go by the name news uses, and no town takes a larger region's name as its own")
    func regionNames() throws {
        let results = Self.locate("Flooding in Henan and Missouri closed roads in Kansas City and across Montana.")
        let henan = try #require(Self.place("Henan", in: results), "\(results.map(\.name))")
        #expect(henan.countryCode == "CN" && henan.admin1 == "Henan")
        let missouri = try #require(Self.place("Missouri", in: results), "\(results.map(\.name))")
        #expect(missouri.countryCode == "US" && missouri.admin1 == "Missouri", "a state, not a town listing it as an alias")
        let gazetteer = Gazetteer.shared
        #expect(gazetteer.lookup("Masovian").contains { $0.kind == .admin1 && $0.countryCode == "PL" })
        #expect(
            !gazetteer.lookup("Western").contains { $0.kind == .admin1 && $0.name.hasSuffix(" Province") },
            "a bare compass word does not name a Western Province")
    }

    @Test("context countries pick the right Hyderabad")
    func demonymContext() throws {
        let pakistan = Self.locate("Pakistani officials said flooding hit Hyderabad and the villages around it.")
        #expect(Self.place("Hyderabad", in: pakistan)?.countryCode == "PK")
        let india = Self.locate("Indian engineers in Hyderabad built the new satellite.")
        #expect(Self.place("Hyderabad", in: india)?.countryCode == "IN")
    }

    @Test("counties are places of their own country, not namesake towns abroad")
    func counties() throws {
        let results = Self.locate("Flooding closed roads across Suffolk and Surrey, and police in Kent warned drivers.")
        for name in ["Suffolk", "Surrey", "Kent"] {
            let county = try #require(Self.place(name, in: results), "\(name) not found")
            #expect(county.countryCode == "GB" && county.admin1 == "England", "\(name)")
            // Inside the county's own box of towns, not on Virginia's Suffolk or British Columbia's Surrey.
            #expect(county.lat > 50.5 && county.lat < 53 && county.lon > -1 && county.lon < 2, "\(name)")
        }
        // A county of the same name in several states: the state named beside it decides.
        let missouri = Self.locate("Deputies in Monroe County, Missouri, searched the river on Sunday.")
        let monroe = try #require(Self.place("Monroe County", in: missouri))
        #expect(monroe.countryCode == "US" && monroe.admin1 == "Missouri")
    }

    @Test("a small town or a direction only the tagger found needs the article's support; Korea is South Korea")
    func taggerOnlyTowns() throws {
        func resolve(_ text: String, _ names: [String]) -> [LocationResult] {
            let document = Document(text: text)
            let candidates = names.map { name in
                let start = text[..<text.range(of: name)!.lowerBound].unicodeScalars.count
                return PlaceCandidate(start: start, end: start + name.unicodeScalars.count, name: name, fromTagger: true)
            }
            return Self.geocoder.resolve(candidates, in: document)
        }
        // "over Christmas": the tagger's mistake, not Christmas, Florida.
        #expect(resolve("Retail sales disappointed over Christmas, the figures show.", ["Christmas"]).isEmpty)
        // The same town where the article names its state.
        let florida = resolve("The storm crossed Florida overnight and flooded roads near Christmas.", ["Florida", "Christmas"])
        #expect(Self.place("Christmas", in: florida)?.admin1 == "Florida")
        // The gazetteer's own finds keep their rules: a locative preposition is context enough.
        let judged = Self.geocoder.resolve(
            [PlaceCandidate(start: 23, end: 32, name: "Christmas")],
            in: Document(text: "The parade was held in Christmas on Saturday."))
        #expect(judged.count == 1)
        // Surnames the tagger took for places do not vouch for each other's country.
        #expect(resolve("Celtic: Thompson, Bellamy, Powell, Sheridan.", ["Thompson", "Bellamy", "Powell", "Sheridan"]).isEmpty)
        // "the West" is no country's West region unless the article is about that country.
        #expect(resolve("In the West, meanwhile, tax rates rose.", ["West"]).isEmpty)
        let korea = resolve("Exports to Korea rose in January.", ["Korea"])
        #expect(korea.first?.countryCode == "KR")
    }

    @Test("a place name placed nowhere in the article is reported as MISC, not as a place")
    func unplacedNamesDemoted() {
        func entity(_ name: String, _ start: Int) -> EntityResult {
            EntityResult(
                name: name, canonical: name, type: "GPE", aliases: [], count: 1, salience: 0.5,
                mentions: [Mention(start: start, end: start + name.count)])
        }
        let kabul = LocationResult(
            name: "Kabul", countryCode: "AF", admin1: nil, lat: 34.5, lon: 69.2, geonameid: 1138958, count: 1,
            mentions: [Mention(start: 0, end: 5)])
        let typed = Analyzer.demoteUnplaced(
            [entity("Kabul", 0), entity("Christmas", 20), entity("Zxqvland", 40)], locations: [kabul])
        // Placed: stays a place. Known only as towns and placed nowhere: the tagger's mistake. Unknown to the
        // gazetteer: nothing says the tagger was wrong.
        #expect(typed.map(\.type) == ["GPE", "MISC", "GPE"])
    }

    @Test("common words and person names are not places", arguments: [
        "May was the wettest month on record.",
        "Hope is not a strategy, the coach said.",
        "Bill Gates spoke at the conference.",
        "Victoria Beckham launched a new fashion line.",
        "The reporter asked Mr Jackson about the budget.",
        "Paris Hilton arrived late to the premiere.",
        "Sydney said she would not run again.",
    ])
    func notPlaces(_ text: String) {
        #expect(Self.locate(text).isEmpty, "\(Self.locate(text).map(\.name))")
    }

    @Test("repeats merge into one place with every mention; aliases join their country")
    func merging() throws {
        let results = Self.locate(
            "Talks in Geneva stalled. The U.S. delegation left Geneva early, and the United States said it would return.")
        let geneva = try #require(Self.place("Geneva", in: results))
        #expect(geneva.count == 2 && geneva.countryCode == "CH")
        let america = try #require(results.first { $0.countryCode == "US" && $0.admin1 == nil })
        #expect(america.count == 2)
    }

    @Test("spans an NER typed as a person or organization are left alone")
    func exclusion() {
        let document = Document(text: "Washington signed the treaty in Ottawa.")
        let all = Self.geocoder.toponyms(in: document, exclude: [])
        #expect(all.map(\.name).contains("Ottawa"))
        let kept = Self.geocoder.toponyms(in: document, exclude: [0..<10])
        #expect(!kept.map(\.name).contains("Washington"))
        #expect(kept.map(\.name) == ["Ottawa"])
    }

    @Test("place kinds for typing NER spans", arguments: [
        ("France", "GPE"), ("Bavaria", "GPE"), ("Kabul", "GPE"), ("Africa", "LOC"), ("Middle East", "LOC"),
        ("Qwertyuiop", nil),
    ] as [(String, String?)])
    func kinds(_ name: String, _ kind: String?) {
        #expect(Self.geocoder.placeKind(of: name) == kind)
    }
}
