"""`embed_text`: a text file compiled into a binary, so that proctor needs no
data files at run time (the default sysinfo list, the HTML report's style
and script). The file becomes `const char SYMBOL[]` in namespace proctor;
the header that uses it declares `extern const char SYMBOL[];`.
"""

def embed_text(name, src, symbol):
    """Writes NAME.cc defining `proctor::SYMBOL` as the contents of `src`."""
    native.genrule(
        name = name,
        srcs = [src],
        outs = [name + ".cc"],
        cmd = "(echo 'namespace proctor { extern const char %s[]; " % symbol +
              "const char %s[] = R\"PROCTOR_EMBED(' ; cat $<; " % symbol +
              "echo ')PROCTOR_EMBED\"; }') > $@",
    )
