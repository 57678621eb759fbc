package render

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// A guard checks, from a function's arguments alone and before it runs, that
// what the function is about to make fits the budget. The functions table says
// which function has which guard.
type guard func(b *budget, args []reflect.Value) error

func checkRepeat(b *budget, args []reflect.Value) error {
	count, s := args[0].Int(), args[1].String()
	if count < 0 {
		return fmt.Errorf("repeat %d: the count must not be negative", count)
	}
	return b.makeString(fmt.Sprintf("repeat %d", count), mulSat(count, int64(len(s))))
}

func checkIndent(b *budget, args []reflect.Value) error {
	spaces, s := args[0].Int(), args[1].String()
	if spaces < 0 {
		return fmt.Errorf("indent %d: the number of spaces must not be negative", spaces)
	}
	lines := int64(strings.Count(s, "\n")) + 1
	return b.makeString(fmt.Sprintf("indent %d", spaces), addSat(int64(len(s))+1, mulSat(spaces, lines)))
}

func checkReplace(b *budget, args []reflect.Value) error {
	old, repl, src := args[0].String(), args[1].String(), args[2].String()
	n := int64(strings.Count(src, old))
	if old == "" {
		n = int64(utf8.RuneCountInString(src)) + 1
	}
	return b.makeString("replace", addSat(int64(len(src)), mulSat(n, int64(len(repl)))))
}

func checkWrapWith(b *budget, args []reflect.Value) error {
	sep, s := args[1].String(), args[2].String()
	return b.makeString("wrapWith", addSat(int64(len(s)), mulSat(int64(len(s))+1, int64(len(sep)))))
}

func checkJoin(b *budget, args []reflect.Value) error {
	sep := args[0].String()
	list := indirect(args[1])
	n := int64(1)
	if list.Kind() == reflect.Slice || list.Kind() == reflect.Array {
		n = int64(list.Len())
	}
	size, err := b.sizeOf(list)
	if err != nil {
		return err
	}
	return b.makeString("join", addSat(size, mulSat(n, int64(len(sep)))))
}

func checkUntil(b *budget, args []reflect.Value) error {
	n := args[0].Int()
	return b.makeList(fmt.Sprintf("until %d", n), absInt(n))
}

func checkUntilStep(b *budget, args []reflect.Value) error {
	start, stop, step := args[0].Int(), args[1].Int(), args[2].Int()
	return b.makeList(fmt.Sprintf("untilStep %d %d %d", start, stop, step), stepCount(start, stop, step))
}

// checkSeq bounds seq, which joins its numbers into a string, so both the
// count and the string length are checked.
func checkSeq(b *budget, args []reflect.Value) error {
	params := args[0]
	var n uint64
	switch params.Len() {
	case 1:
		n = absDiff(1, params.Index(0).Int()) + 1
	case 2:
		n = absDiff(params.Index(0).Int(), params.Index(1).Int()) + 1
	case 3:
		start, step, end := params.Index(0).Int(), params.Index(1).Int(), params.Index(2).Int()
		if step != 0 {
			n = absDiff(start, end)/absInt(step) + 1
		}
	}
	if err := b.makeList("seq", n); err != nil {
		return err
	}
	// Every number is at most 20 characters and a separator.
	return b.makeString("seq", mulSat(int64(n), 21))
}

// checkQuadratic bounds uniq and without, which compare every element with
// every other.
func checkQuadratic(b *budget, args []reflect.Value) error {
	n := int64(1)
	if l := indirect(args[0]); l.Kind() == reflect.Slice || l.Kind() == reflect.Array {
		n = int64(l.Len())
	}
	m := n
	if len(args) > 1 {
		m = int64(args[1].Len())
	}
	return b.reserve("comparing every element of a list", mulSat(n, m))
}

func checkChunk(_ *budget, args []reflect.Value) error {
	if size := args[0].Int(); size < 1 {
		return fmt.Errorf("chunk %d: the size must be at least 1", size)
	}
	return nil
}

// checkRegexReplace bounds a regular expression replacement: there are at
// most len(s)+1 matches, and an expanded replacement repeats at most the
// whole input once per reference.
func checkRegexReplace(literal bool) func(*budget, []reflect.Value) error {
	return func(b *budget, args []reflect.Value) error {
		s, repl := args[1].String(), args[2].String()
		per := int64(len(repl))
		if !literal {
			per = addSat(per, mulSat(int64(strings.Count(repl, "$")), int64(len(s))))
		}
		return b.makeString("regexReplaceAll", addSat(int64(len(s)), mulSat(int64(len(s))+1, per)))
	}
}

// checkPrintf refuses widths and precisions that would pad a value to an
// arbitrary size, widths taken from arguments, which cannot be checked
// before formatting, and %p, which prints a memory address: different on
// every call, so an object holding one would never settle.
func checkPrintf(_ *budget, args []reflect.Value) error {
	const maxWidth = 1024
	format := args[0].String()
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		for i++; i < len(format) && format[i] != '%'; i++ {
			c := format[i]
			if c == '*' {
				return fmt.Errorf("printf %q: widths and precisions from arguments (*) are not supported", format)
			}
			if c < '0' || c > '9' {
				if strings.IndexByte("+-# .[]", c) < 0 {
					if c == 'p' {
						return fmt.Errorf("printf %q: the %%p verb prints a memory address and is not supported", format)
					}
					break // The verb.
				}
				continue
			}
			n := 0
			for ; i < len(format) && format[i] >= '0' && format[i] <= '9'; i++ {
				n = n*10 + int(format[i]-'0')
				if n > maxWidth {
					return fmt.Errorf("printf %q: widths and precisions above %d are not supported", format, maxWidth)
				}
			}
			i--
		}
	}
	return nil
}

func checkSerialise(b *budget, args []reflect.Value) error {
	size, err := b.sizeOf(args[0])
	if err != nil {
		return err
	}
	return b.reserve("serialising a value", mulSat(size, serialiseFactor))
}

func indirect(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && !v.IsNil() {
		v = v.Elem()
	}
	return v
}

// stepCount is how many numbers untilStep makes, computed without the loop
// (and without overflow) so that a huge range is refused before it exists.
func stepCount(start, stop, step int64) uint64 {
	switch {
	case step > 0 && start < stop:
		d, s := absDiff(start, stop), uint64(step)
		return d/s + min(d%s, 1)
	case step < 0 && start > stop:
		d, s := absDiff(start, stop), absInt(step)
		return d/s + min(d%s, 1)
	default:
		return 0
	}
}

// absDiff is |a-b|, which may not fit an int64. The conversions keep the
// bits, and the unsigned difference of two's complement values is exact.
func absDiff(a, b int64) uint64 {
	if a > b {
		return uint64(a) - uint64(b) //nolint:gosec // Wrapping is the point; see above.
	}
	return uint64(b) - uint64(a) //nolint:gosec // Wrapping is the point; see above.
}

// absInt is |n|, which for math.MinInt64 does not fit an int64.
func absInt(n int64) uint64 {
	return absDiff(n, 0)
}
