# Writes OUT: a C++ source holding the catalogue CSV files as arrays of raw string literals, each
# under the 65,536 characters C++ compilers must accept (clang's -Woverlength-strings), ending in
# nullptr; EmbeddedCsv() in catalog.cpp joins them.
file(READ ${CATALOG} catalog_text)
file(READ ${EXCLUSIONS} exclusions_text)
# Split long literals into chunks the compilers accept comfortably.
function(chunked var text)
  string(LENGTH "${text}" len)
  set(out "")
  set(pos 0)
  while(pos LESS len)
    string(SUBSTRING "${text}" ${pos} 60000 part)
    string(APPEND out "R\"gblcsv(${part})gblcsv\",\n")
    math(EXPR pos "${pos} + 60000")
  endwhile()
  set(${var} "${out}" PARENT_SCOPE)
endfunction()
chunked(catalog_lits "${catalog_text}")
chunked(exclusions_lits "${exclusions_text}")
file(WRITE ${OUT} "// Generated from engine/data/*.csv by embed_catalog.cmake; do not edit.\n"
  "namespace gbl {\n"
  "extern const char* const kCatalogCsvParts[];\nextern const char* const kExclusionsCsvParts[];\n"
  "const char* const kCatalogCsvParts[] = {\n${catalog_lits}nullptr};\n"
  "const char* const kExclusionsCsvParts[] = {\n${exclusions_lits}nullptr};\n"
  "}  // namespace gbl\n")
