package render

import (
	"fmt"
	"math"
	"reflect"
)

// state is what the functions of one slot see: the budget of the Render
// call that currently holds the slot, and its Renderer's conversions.
type state struct {
	b    *budget
	conv *conversions
}

// toYaml is toYaml through the conversions of the Renderer the slot
// renders for.
func (st *state) toYaml(v any) (string, error) { return st.conv.toYaml(v) }

var (
	errorType = reflect.TypeFor[error]()
	nilError  = reflect.Zero(errorType)
)

// bind returns fn with its cost counted: every call is charged for its
// arguments before it runs and for its result after; functions that can
// allocate far more than they read check the size of what they would make
// first. The result has the signature of fn plus an error result, which is
// how text/template lets a function fail.
func (st *state) bind(name string, fn any) any {
	fv := reflect.ValueOf(fn)
	ft := fv.Type()
	hasErr := ft.NumOut() == 2
	bt := ft
	if !hasErr {
		in := make([]reflect.Type, ft.NumIn())
		for i := range in {
			in[i] = ft.In(i)
		}
		bt = reflect.FuncOf(in, []reflect.Type{ft.Out(0), errorType}, ft.IsVariadic())
	}
	pre := functions[name].guard
	zero := reflect.Zero(ft.Out(0))
	return reflect.MakeFunc(bt, func(args []reflect.Value) []reflect.Value {
		b := st.b
		fail := func(err error) []reflect.Value { return []reflect.Value{zero, reflect.ValueOf(&err).Elem()} }
		cost := int64(callCost)
		for _, a := range args {
			s, err := b.sizeOf(a)
			if err != nil {
				return fail(err)
			}
			cost = addSat(cost, s)
		}
		if err := b.charge(cost); err != nil {
			return fail(err)
		}
		if pre != nil {
			if err := pre(b, args); err != nil {
				return fail(err)
			}
		}
		var out []reflect.Value
		if ft.IsVariadic() {
			out = fv.CallSlice(args)
		} else {
			out = fv.Call(args)
		}
		if hasErr && !out[1].IsNil() {
			return out
		}
		if err := b.chargeResult(out[0]); err != nil {
			return fail(err)
		}
		return []reflect.Value{out[0], nilError}
	}).Interface()
}

// rangeGuard runs before every range loop, with the number of nodes in the
// loop's body, and charges the loop's cost before it starts.
func (st *state) rangeGuard(nodes int, v any) (any, error) {
	rv := indirect(reflect.ValueOf(v))
	var n int64
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n = max(rv.Int(), 0)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n = int64(min(rv.Uint(), math.MaxInt64))
	case reflect.Slice, reflect.Array, reflect.Map:
		n = int64(rv.Len())
	case reflect.Invalid:
		return v, nil
	default:
		return nil, fmt.Errorf("range over a %s is not supported", rv.Type())
	}
	if err := st.b.iterate(n, nodes); err != nil {
		return nil, err
	}
	return v, nil
}
