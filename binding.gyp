{
  "targets": [
    {
      "target_name": "recforge",
      "sources": [ "<!@(node native/list-sources.cjs cpu napi)" ],
      "include_dirs": [ "<!(node -p \"require('node-addon-api').include_dir\")", "native/include" ],
      "defines": [ "NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS" ],
      "cflags!": [ "-fno-exceptions" ],
      "cflags_cc!": [ "-fno-exceptions", "-fno-rtti" ],
      "cflags_cc": [ "-std=c++17", "-O3", "-fno-trapping-math", "-fno-math-errno", "-fexceptions", "-pthread", "-mtune=generic", "-Wno-psabi" ],
      "libraries": [ "-ldl", "-pthread" ]
    }
  ]
}
