package render

import (
	"fmt"
	"text/template"
)

// pure is the reason for keeping most of sprig as it is.
var pure = kept("reads only its arguments and returns something about their size; the budget charges both")

// functions is the one decision on every function a template might call:
// every sprig function, text/template's printing built-ins and this
// package's additions. A render must give the same bytes for the same input
// on every call and on every replica, so anything that reads the
// environment, the filesystem, the network, the clock or a random source is
// removed; functions that can build far more than they read are bounded by a
// guard, or replaced. Nothing outside this table is callable, so
// TestEverySprigFunctionIsAudited fails when a sprig upgrade adds a function
// until it gets a line here.
var functions = map[string]rule{
	// Strings.
	"abbrev":     pure,
	"abbrevboth": pure,
	"camelcase":  pure,
	"cat":        pure,
	"contains":   pure,
	"hasPrefix":  pure,
	"hasSuffix":  pure,
	"initials":   pure,
	"kebabcase":  pure,
	"lower":      pure,
	"nospace":    pure,
	"plural":     pure,
	"quote":      pure,
	"snakecase":  pure,
	"squote":     pure,
	"substr":     pure,
	"swapcase":   pure,
	"title":      pure,
	"toString":   pure,
	"trim":       pure,
	"trimAll":    pure,
	"trimPrefix": pure,
	"trimSuffix": pure,
	"trimall":    pure,
	"trunc":      pure,
	"untitle":    pure,
	"upper":      pure,
	"wrap":       pure,
	"sortAlpha":  pure,
	"split":      pure,
	"splitList":  pure,
	"splitn":     pure,
	"toStrings":  pure,

	// Numbers.
	"add":       pure,
	"add1":      pure,
	"add1f":     pure,
	"addf":      pure,
	"atoi":      pure,
	"biggest":   pure,
	"ceil":      pure,
	"div":       pure,
	"divf":      pure,
	"float64":   pure,
	"floor":     pure,
	"int":       pure,
	"int64":     pure,
	"max":       pure,
	"maxf":      pure,
	"min":       pure,
	"minf":      pure,
	"mod":       pure,
	"mul":       pure,
	"mulf":      pure,
	"round":     pure,
	"sub":       pure,
	"subf":      pure,
	"toDecimal": pure,
	"duration":  kept("formats a number of seconds; it reads no clock"),

	// Defaults, flow and types.
	"all":         pure,
	"any":         pure,
	"coalesce":    pure,
	"compact":     pure,
	"default":     pure,
	"empty":       pure,
	"mustCompact": pure,
	"ternary":     pure,
	"fail":        kept("fails the render on purpose; cleanError shortens a long message"),
	"hello":       kept("returns a constant"),
	"deepEqual":   pure,
	"kindIs":      pure,
	"kindOf":      pure,
	"typeIs":      pure,
	"typeIsLike":  pure,
	"typeOf":      pure,

	// Lists and dictionaries. Each makes a new value and changes none of its
	// arguments, so no value can come to contain itself.
	"append":       pure,
	"concat":       pure,
	"deepCopy":     pure,
	"dict":         pure,
	"dig":          pure,
	"first":        pure,
	"get":          pure,
	"has":          pure,
	"hasKey":       pure,
	"initial":      pure,
	"last":         pure,
	"list":         pure,
	"mustAppend":   pure,
	"mustDeepCopy": pure,
	"mustFirst":    pure,
	"mustHas":      pure,
	"mustInitial":  pure,
	"mustLast":     pure,
	"mustPrepend":  pure,
	"mustPush":     pure,
	"mustRest":     pure,
	"mustReverse":  pure,
	"mustSlice":    pure,
	"omit":         pure,
	"pick":         pure,
	"pluck":        pure,
	"prepend":      pure,
	"push":         pure,
	"rest":         pure,
	"reverse":      pure,
	"slice":        pure,
	"tuple":        pure,

	// Encodings, hashes, paths, versions and URLs.
	"adler32sum":    pure,
	"b32dec":        pure,
	"b32enc":        pure,
	"b64dec":        pure,
	"b64enc":        pure,
	"sha1sum":       pure,
	"sha256sum":     pure,
	"sha512sum":     pure,
	"fromJson":      pure,
	"mustFromJson":  pure,
	"base":          pure,
	"clean":         pure,
	"dir":           pure,
	"ext":           pure,
	"isAbs":         pure,
	"semverCompare": pure,
	"urlJoin":       pure,
	"urlParse":      pure,

	// Regular expressions. Go's run in time linear in their input.
	"mustRegexFind":    pure,
	"mustRegexFindAll": pure,
	"mustRegexMatch":   pure,
	"mustRegexSplit":   pure,
	"regexFind":        pure,
	"regexFindAll":     pure,
	"regexMatch":       pure,
	"regexQuoteMeta":   pure,
	"regexSplit":       pure,

	// Functions that can build far more than they read: sprig's, behind a
	// guard that checks the size of what they are about to make.
	"repeat":                     bounded(checkRepeat, "makes a string count times as long as its argument"),
	"indent":                     bounded(checkIndent, "adds any number of spaces to every line"),
	"nindent":                    bounded(checkIndent, "adds any number of spaces to every line"),
	"replace":                    bounded(checkReplace, "adds the replacement once per match, and once per character for an empty pattern"),
	"wrapWith":                   bounded(checkWrapWith, "can add the separator after every character"),
	"join":                       bounded(checkJoin, "prints every element of a list"),
	"until":                      bounded(checkUntil, "makes a list of any length from one number"),
	"untilStep":                  bounded(checkUntilStep, "makes a list of any length from three numbers"),
	"seq":                        bounded(checkSeq, "makes and prints a list of any length from a few numbers"),
	"uniq":                       bounded(checkQuadratic, "compares every element of a list with every other"),
	"mustUniq":                   bounded(checkQuadratic, "compares every element of a list with every other"),
	"without":                    bounded(checkQuadratic, "compares every element of a list with every other"),
	"mustWithout":                bounded(checkQuadratic, "compares every element of a list with every other"),
	"chunk":                      bounded(checkChunk, "divides by its size, which sprig does not check"),
	"mustChunk":                  bounded(checkChunk, "divides by its size, which sprig does not check"),
	"regexReplaceAll":            bounded(checkRegexReplace(false), "can repeat the whole input once per match and reference"),
	"mustRegexReplaceAll":        bounded(checkRegexReplace(false), "can repeat the whole input once per match and reference"),
	"regexReplaceAllLiteral":     bounded(checkRegexReplace(true), "adds the replacement once per match"),
	"mustRegexReplaceAllLiteral": bounded(checkRegexReplace(true), "adds the replacement once per match"),
	"toJson":                     bounded(checkSerialise, "escapes and indentation make a document larger than its value"),
	"mustToJson":                 bounded(checkSerialise, "escapes and indentation make a document larger than its value"),
	"toPrettyJson":               bounded(checkSerialise, "escapes and indentation make a document larger than its value"),
	"mustToPrettyJson":           bounded(checkSerialise, "escapes and indentation make a document larger than its value"),
	"toRawJson":                  bounded(checkSerialise, "escapes and indentation make a document larger than its value"),
	"mustToRawJson":              bounded(checkSerialise, "escapes and indentation make a document larger than its value"),

	// Functions with a version of their own here.
	"merge":              replacedBy(mergeCopy(false), nil, "sprig's changes its first argument; this one copies"),
	"mustMerge":          replacedBy(mustMergeCopy(false), nil, "sprig's changes its first argument; this one copies"),
	"mergeOverwrite":     replacedBy(mergeCopy(true), nil, "sprig's changes its first argument; this one copies"),
	"mustMergeOverwrite": replacedBy(mustMergeCopy(true), nil, "sprig's changes its first argument; this one copies"),
	"keys":               replacedBy(sortedKeys, nil, "sprig's come in map order, which changes from call to call; these are sorted"),
	"semver":             replacedBy(semverValue, nil, "sprig's returns a pointer, which fmt can print as an address; this one returns a value"),
	"values":             replacedBy(sortedValues, nil, "sprig's come in map order, which changes from call to call; these follow the sorted keys"),
	"print":              replacedBy(fmt.Sprint, nil, "text/template's own, here so that its output is charged to the budget"),
	"println":            replacedBy(fmt.Sprintln, nil, "text/template's own, here so that its output is charged to the budget"),
	"printf":             replacedBy(fmt.Sprintf, checkPrintf, "text/template's own, here so that its output is charged and its widths bounded"),
	"html":               replacedBy(template.HTMLEscaper, nil, "text/template's own, here so that its output is charged to the budget"),
	"js":                 replacedBy(template.JSEscaper, nil, "text/template's own, here so that its output is charged to the budget"),
	"urlquery":           replacedBy(template.URLQueryEscaper, nil, "text/template's own, here so that its output is charged to the budget"),

	// Helm's functions that sprig lacks, which template authors expect.
	"toYaml":        added(toYaml, checkSerialise, "Helm's, without the trailing newline, so that it lines up with nindent"),
	"fromYaml":      added(fromYaml, nil, "Helm's, except that a mistake fails the render instead of returning an Error key"),
	"fromYamlArray": added(fromYamlArray, nil, "Helm's, except that a mistake fails the render"),
	"required":      added(required, nil, "Helm's: fails the render with a message when a value is missing"),

	// The clock, and the local time zone that the date functions read from
	// the environment and the zoneinfo files.
	"now":              removed("reads the clock"),
	"ago":              removed("reads the clock"),
	"date":             removed("formats in the local time zone, which comes from the environment"),
	"date_in_zone":     removed("loads time zones from the filesystem"),
	"dateInZone":       removed("loads time zones from the filesystem"),
	"htmlDate":         removed("formats in the local time zone"),
	"htmlDateInZone":   removed("loads time zones from the filesystem"),
	"toDate":           removed("parses in the local time zone"),
	"mustToDate":       removed("parses in the local time zone"),
	"date_modify":      removed("needs a time value, and only the clock or the local zone gives one"),
	"dateModify":       removed("needs a time value, and only the clock or the local zone gives one"),
	"must_date_modify": removed("needs a time value, and only the clock or the local zone gives one"),
	"mustDateModify":   removed("needs a time value, and only the clock or the local zone gives one"),
	"unixEpoch":        removed("needs a time value, and only the clock or the local zone gives one"),
	"durationRound":    removed("reads the clock when given a time value"),

	// Randomness.
	"randAlphaNum":             removed("random"),
	"randAlpha":                removed("random"),
	"randAscii":                removed("random"),
	"randNumeric":              removed("random"),
	"randBytes":                removed("random"),
	"randInt":                  removed("random"),
	"shuffle":                  removed("random"),
	"uuidv4":                   removed("random"),
	"genPrivateKey":            removed("random"),
	"genCA":                    removed("random"),
	"genCAWithKey":             removed("random serial number"),
	"genSelfSignedCert":        removed("random"),
	"genSelfSignedCertWithKey": removed("random serial number"),
	"genSignedCert":            removed("random"),
	"genSignedCertWithKey":     removed("random serial number"),
	"encryptAES":               removed("random initialisation vector"),
	"bcrypt":                   removed("random salt, and slow by design"),
	"htpasswd":                 removed("random salt, and slow by design"),

	// Crypto that is deterministic but has no place in a debug session's
	// objects: it either costs tens of megabytes and a noticeable time per
	// call or only makes sense next to the random functions above.
	"derivePassword":  removed("costs tens of megabytes and much CPU per call"),
	"decryptAES":      removed("keys do not belong in templates"),
	"buildCustomCert": removed("only useful with the certificate generators"),

	// The environment, the network and the operating system.
	"env":           removed("reads the environment"),
	"expandenv":     removed("reads the environment"),
	"getHostByName": removed("queries DNS"),
	"osBase":        removed("depends on the operating system; use base"),
	"osClean":       removed("depends on the operating system; use clean"),
	"osDir":         removed("depends on the operating system; use dir"),
	"osExt":         removed("depends on the operating system; use ext"),
	"osIsAbs":       removed("depends on the operating system; use isAbs"),

	// In-place mutation. With it a template can make a dictionary contain
	// itself, or grow a value after it was shared, and printing such a value
	// never ends. merge and mergeOverwrite are replaced by copying versions.
	"set":   removed("mutates a dictionary in place; build dictionaries with dict and merge"),
	"unset": removed("mutates a dictionary in place; use omit"),
}
