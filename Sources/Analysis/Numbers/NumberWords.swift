/// English number words and their values, shared by quantities and relative dates.
enum NumberWords {
    static let cardinals: [String: Int] = {
        let units = [
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
            "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
        ]
        let tens = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
        var values: [String: Int] = [:]
        for (value, word) in units.enumerated() { values[word] = value }
        for (index, word) in tens.enumerated() {
            let value = (index + 2) * 10
            values[word] = value
            for unit in 1...9 {
                values["\(word)-\(units[unit])"] = value + unit
            }
        }
        return values
    }()
}
