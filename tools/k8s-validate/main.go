// Command k8s-validate is the offline Kubernetes manifest validator used by
// tools/helm-check.sh. Nothing here touches the network: the schemas are
// derived from the Go API types compiled into this binary (k8s.io/api at the
// Kubernetes version pinned in go.mod, plus the prometheus-operator
// monitoring.coreos.com/v1 types for ServiceMonitor).
//
// Sub-commands:
//
//	gen-schemas -out DIR -kubernetes-version 1.30.0
//	    Writes kubeconform-compatible "standalone-strict" JSON schemas
//	    (DIR/v1.30.0-standalone-strict/<kind>-<group>-<version>.json) for every
//	    kind known to the client-go scheme and for ServiceMonitor, so that
//	    `kubeconform -strict -schema-location DIR` works without GitHub.
//
//	decode FILE...
//	    Splits each file into YAML documents and strictly decodes every
//	    document with the client-go scheme (+ monitoring/v1): unknown or
//	    duplicate fields, unknown kinds and type mismatches are errors.
//	    Prints "k8s-validate: N documents decoded strictly (kinds...)".
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
)

func newScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := scheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := monitoringv1.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// removedGroupVersions lists API group/versions whose Go types are still in
// k8s.io/api but that a Kubernetes 1.30 API server no longer serves. They get
// no schema and are rejected by decode, like with the upstream 1.30 schemas.
var removedGroupVersions = map[string]bool{
	"extensions/v1beta1": true, "apps/v1beta1": true, "apps/v1beta2": true,
	"networking.k8s.io/v1beta1": true, "policy/v1beta1": true,
	"autoscaling/v2beta1": true, "autoscaling/v2beta2": true, "batch/v1beta1": true,
	"discovery.k8s.io/v1beta1": true, "events.k8s.io/v1beta1": true,
	"flowcontrol.apiserver.k8s.io/v1beta1": true, "flowcontrol.apiserver.k8s.io/v1beta2": true,
	"node.k8s.io/v1beta1": true, "rbac.authorization.k8s.io/v1beta1": true,
	"rbac.authorization.k8s.io/v1alpha1": true, "certificates.k8s.io/v1beta1": true,
	"coordination.k8s.io/v1beta1": true, "scheduling.k8s.io/v1beta1": true,
	"scheduling.k8s.io/v1alpha1": true, "storage.k8s.io/v1beta1": true,
	"authentication.k8s.io/v1beta1": true, "authorization.k8s.io/v1beta1": true,
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: k8s-validate gen-schemas -out DIR [-kubernetes-version 1.30.0] | decode FILE...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen-schemas":
		err = genSchemas(os.Args[2:])
	case "decode":
		err = decode(os.Args[2:])
	default:
		err = fmt.Errorf("unknown sub-command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8s-validate:", err)
		os.Exit(1)
	}
}

// ---------------------------------------------------------------- decode ---

func decode(files []string) error {
	if len(files) == 0 {
		return errors.New("decode: no files given")
	}
	s, err := newScheme()
	if err != nil {
		return err
	}
	deser := serializer.NewCodecFactory(s, serializer.EnableStrict).UniversalDeserializer()
	total, failed := 0, 0
	kinds := map[string]int{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return err
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(fh))
		for {
			doc, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				fh.Close()
				return fmt.Errorf("%s: %w", f, err)
			}
			if len(bytes.TrimSpace(stripComments(doc))) == 0 {
				continue
			}
			total++
			obj, gvk, err := deser.Decode(doc, nil, nil)
			if err != nil {
				failed++
				fmt.Fprintf(os.Stderr, "%s: document %d: %v\n", f, total, err)
				continue
			}
			if acc, aerr := metaAccessor(obj); aerr == nil && acc.GetName() == "" {
				failed++
				fmt.Fprintf(os.Stderr, "%s: document %d (%s): metadata.name is empty\n", f, total, gvk.Kind)
				continue
			}
			if removedGroupVersions[gvk.GroupVersion().String()] {
				failed++
				fmt.Fprintf(os.Stderr, "%s: document %d: %s %s is not served by Kubernetes 1.30\n", f, total, gvk.GroupVersion(), gvk.Kind)
				continue
			}
			kinds[gvk.Kind]++
		}
		fh.Close()
	}
	names := make([]string, 0, len(kinds))
	for k, n := range kinds {
		names = append(names, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(names)
	fmt.Printf("k8s-validate: %d documents decoded strictly, %d failed (%s)\n", total, failed, strings.Join(names, " "))
	if failed > 0 {
		return fmt.Errorf("%d of %d documents failed strict decoding", failed, total)
	}
	if total == 0 {
		return errors.New("no documents found")
	}
	return nil
}

func metaAccessor(obj runtime.Object) (metav1.Object, error) {
	o, ok := obj.(metav1.Object)
	if !ok {
		return nil, errors.New("not a metav1.Object")
	}
	return o, nil
}

func stripComments(doc []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.Split(doc, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if bytes.HasPrefix(t, []byte("#")) || bytes.Equal(t, []byte("---")) {
			continue
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// ----------------------------------------------------------- gen-schemas ---

func genSchemas(args []string) error {
	fs := flag.NewFlagSet("gen-schemas", flag.ContinueOnError)
	out := fs.String("out", "", "output directory (kubeconform -schema-location)")
	kv := fs.String("kubernetes-version", "1.30.0", "Kubernetes version used in the directory name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("gen-schemas: -out is required")
	}
	dir := filepath.Join(*out, "v"+strings.TrimPrefix(*kv, "v")+"-standalone-strict")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	s, err := newScheme()
	if err != nil {
		return err
	}
	n := 0
	for gvk, t := range s.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || strings.HasSuffix(gvk.Kind, "List") && gvk.Kind != "List" {
			continue
		}
		if removedGroupVersions[gvk.GroupVersion().String()] || gvk.Kind == "WatchEvent" || strings.HasSuffix(gvk.Kind, "Options") {
			continue
		}
		sch := schemaForKind(gvk, t)
		b, err := json.MarshalIndent(sch, "", "  ")
		if err != nil {
			return fmt.Errorf("%s: %w", gvk, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fileName(gvk)), b, 0o644); err != nil {
			return err
		}
		n++
	}
	fmt.Printf("k8s-validate: wrote %d strict JSON schemas to %s\n", n, dir)
	return nil
}

// fileName mirrors kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}.json.
func fileName(gvk schema.GroupVersionKind) string {
	suffix := "-" + strings.ToLower(gvk.Version)
	if gvk.Group != "" {
		suffix = "-" + strings.ToLower(strings.Split(gvk.Group, ".")[0]) + suffix
	}
	return strings.ToLower(gvk.Kind) + suffix + ".json"
}

type gen struct {
	defs map[string]map[string]any
}

func schemaForKind(gvk schema.GroupVersionKind, t reflect.Type) map[string]any {
	g := &gen{defs: map[string]map[string]any{}}
	root := g.structSchema(t)
	props := root["properties"].(map[string]any)
	apiVersion := gvk.GroupVersion().String()
	props["apiVersion"] = map[string]any{"type": "string", "enum": []string{apiVersion}}
	props["kind"] = map[string]any{"type": "string", "enum": []string{gvk.Kind}}
	root["$schema"] = "http://json-schema.org/draft-07/schema#"
	root["description"] = fmt.Sprintf("%s %s, generated from Go type %s by tools/k8s-validate (strict: additionalProperties=false)", apiVersion, gvk.Kind, t.String())
	root["required"] = []string{"apiVersion", "kind"}
	root["definitions"] = g.defs
	return root
}

var (
	quantityType    = reflect.TypeOf(resource.Quantity{})
	intOrStringType = reflect.TypeOf(intstr.IntOrString{})
	timeType        = reflect.TypeOf(metav1.Time{})
	microTimeType   = reflect.TypeOf(metav1.MicroTime{})
	durationType    = reflect.TypeOf(metav1.Duration{})
	rawExtType      = reflect.TypeOf(runtime.RawExtension{})
	fieldsV1Type    = reflect.TypeOf(metav1.FieldsV1{})
	marshalerType   = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
)

func nullable(s map[string]any) map[string]any {
	if t, ok := s["type"].(string); ok {
		s["type"] = []string{t, "null"}
	}
	return s
}

// typeSchema returns the schema for a field of Go type t.
func (g *gen) typeSchema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case quantityType:
		return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
	case intOrStringType:
		return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
	case timeType, microTimeType:
		return nullable(map[string]any{"type": "string", "format": "date-time"})
	case durationType:
		return nullable(map[string]any{"type": "string"})
	case rawExtType, fieldsV1Type:
		return map[string]any{}
	}
	if t.Kind() == reflect.Struct && (t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)) {
		// Custom JSON encoding we do not model: accept anything.
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.String:
		return nullable(map[string]any{"type": "string"})
	case reflect.Bool:
		return nullable(map[string]any{"type": "boolean"})
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return nullable(map[string]any{"type": "integer"})
	case reflect.Float32, reflect.Float64:
		return nullable(map[string]any{"type": "number"})
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nullable(map[string]any{"type": "string"}) // []byte is base64
		}
		return nullable(map[string]any{"type": "array", "items": g.typeSchema(t.Elem())})
	case reflect.Map:
		return nullable(map[string]any{"type": "object", "additionalProperties": g.typeSchema(t.Elem())})
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := strings.NewReplacer("/", ".", "*", "").Replace(t.PkgPath() + "." + t.Name())
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder breaks recursion
			g.defs[name] = g.structSchema(t)
		}
		return map[string]any{"$ref": "#/definitions/" + name}
	}
	return map[string]any{}
}

// structSchema builds a strict object schema for struct type t, flattening
// inline/embedded members the way encoding/json does.
func (g *gen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.collect(t, props, &required)
	s := map[string]any{
		"type":                 []string{"object", "null"},
		"properties":           props,
		"additionalProperties": false,
	}
	if len(required) > 0 {
		sort.Strings(required)
		s["required"] = required
	}
	return s
}

func (g *gen) collect(t reflect.Type, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		inline := strings.Contains(","+opts+",", ",inline,")
		ft := f.Type
		if (f.Anonymous && name == "") || inline {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.collect(ft, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.typeSchema(ft)
		// Kubernetes API convention: required fields carry no omitempty.
		// Only scalars (and IntOrString) are marked, which is conservative.
		omitempty := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		if !omitempty && ft.Kind() != reflect.Pointer {
			switch ft.Kind() {
			case reflect.String, reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64:
				*required = append(*required, name)
			case reflect.Struct:
				if ft == intOrStringType {
					*required = append(*required, name)
				}
			}
		}
	}
}
