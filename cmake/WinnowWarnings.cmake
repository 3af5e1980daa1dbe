# Warnings for every target of this tree; WN_WERROR makes them errors (CI).
set(WN_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wcast-qual -Wwrite-strings -Wundef -Wvla)
add_compile_options(${WN_WARNINGS})
if(WN_WERROR)
  add_compile_options(-Werror)
endif()
